"""django.tasks on commit: Django's own idiom, transaction.on_commit."""

from functools import partial

from django.db import transaction
from django.tasks import task


@task
def notify_warehouse(order_id: int) -> str:
    return f"warehouse notified of order {order_id}"


def place_order(order_id: int) -> None:
    # --8<-- [start:tasks]
    with transaction.atomic():
        # ... save the order ...
        transaction.on_commit(partial(notify_warehouse.enqueue, order_id))
    # --8<-- [end:tasks]
