"""The demo's one model: an order whose receipt a background job writes once it is saved."""

from __future__ import annotations

from django.db import models


class Order(models.Model):
    """A customer's order. Saving a new one submits a job that writes its receipt.

    See ``demo.signals``: the job is stored in the same transaction as the order, so an
    order that is rolled back leaves no job behind, and a worker never sees a job whose
    order does not exist yet.
    """

    customer = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    #: Written by ``demo.jobs.write_receipt``; empty until the worker has run it.
    receipt = models.TextField(blank=True)
    #: The id of the job that writes the receipt (set by the ``post_save`` handler).
    receipt_job_id = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Order {self.pk} ({self.customer})"
