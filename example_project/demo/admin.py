"""The demo's orders in the admin; the jobs are in the "Background jobs" section."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import Order


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Adding an order here submits its receipt job, as the demo's form does."""

    list_display = ["id", "customer", "amount", "created_at", "has_receipt", "receipt_job"]
    readonly_fields = ["receipt", "receipt_job"]
    fields = ["customer", "amount", "receipt", "receipt_job"]

    @admin.display(boolean=True, description="receipt written")
    def has_receipt(self, order: Order) -> bool:
        return bool(order.receipt)

    @admin.display(description="receipt job")
    def receipt_job(self, order: Order) -> str:
        if order.receipt_job_id is None:
            return "–"
        url = reverse("admin:django_gigq_job_change", args=[order.receipt_job_id])
        return format_html('<a href="{}">{}</a>', url, order.receipt_job_id)
