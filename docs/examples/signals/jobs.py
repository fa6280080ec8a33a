"""Job functions for the signals guide."""


# --8<-- [start:charge]
def charge(order_id: int) -> str:
    raise RuntimeError(f"the payment provider refused order {order_id}")
# --8<-- [end:charge]
