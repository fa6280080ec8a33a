"""Enqueue from a signal: a new ``Order`` gets a job that writes its receipt.

The handler runs inside the transaction that saves the order (``Model.save`` wraps its
writes in one, and so does the admin), and ``JobQueue.submit`` stores the job in that
same transaction: if the order is rolled back, so is its job. A worker only sees the job
once the order is committed, so the job can always read it.

Connected in ``DemoConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from django_gigq import Job, JobQueue

from .jobs import write_receipt
from .models import Order


def enqueue_receipt(sender: type[Order], instance: Order, created: bool, **kwargs: Any) -> None:
    """On a new order, submit ``write_receipt`` for it and remember the job's id."""
    if not created or kwargs.get("raw"):  # loaddata saves raw rows: no jobs for fixtures
        return
    job_id = JobQueue().submit(
        Job(f"receipt for order {instance.pk}", write_receipt, params={"order_id": instance.pk})
    )
    # update(), not save(): it sends no post_save, so this handler is not called again.
    Order.objects.filter(pk=instance.pk).update(receipt_job_id=job_id)
    instance.receipt_job_id = job_id
