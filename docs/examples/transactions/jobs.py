"""Job functions for the transactions guide."""


# --8<-- [start:send-confirmation]
def send_confirmation(order_id: int) -> str:
    return f"confirmation for order {order_id} sent"
# --8<-- [end:send-confirmation]
