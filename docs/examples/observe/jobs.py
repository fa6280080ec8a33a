"""The job of the tracing examples."""


# --8<-- [start:jobs]
def send_receipt(order_id):
    # Spans made here (an HTTP call, a query, with their instrumentations) are children of
    # the job's run span.
    return f"receipt for order {order_id} sent"


# --8<-- [end:jobs]
