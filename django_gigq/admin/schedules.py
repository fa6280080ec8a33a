"""The schedule admin: periodic jobs, editable, with enable / disable / run-now actions."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..schedules import Schedule
from .jobs import ADMIN_CSS

#: Fields whose change re-plans the next tick.
TIMING_FIELDS = ("cron", "interval", "enabled")


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    """Periodic schedules: the one editable model, with enable, disable and run-now actions."""

    list_display = (
        "name",
        "function",
        "every",
        "enabled",
        "next_run_at",
        "last_run_at",
        "last_job_link",
        "declared_in_code",
    )
    list_filter = ("enabled", "declared_in_code")
    search_fields = ("name", "function")
    actions = ("enable_selected", "disable_selected", "run_now")
    fieldsets = (
        (None, {"fields": ("name", "function", "params", "enabled")}),
        ("When", {"fields": ("cron", "interval", "next_run_at", "last_run_at")}),
        ("Job options", {"fields": ("queue", "priority")}),
        ("History", {"fields": ("last_job_link", "declared_in_code", "created_at", "updated_at")}),
    )
    readonly_fields = (
        "next_run_at",
        "last_run_at",
        "last_job_link",
        "declared_in_code",
        "created_at",
        "updated_at",
    )

    class Media:
        css = ADMIN_CSS

    @admin.display(description="last job")
    def last_job_link(self, schedule: Schedule) -> SafeString | str:
        if schedule.last_job_id is None:
            return "-"
        url = reverse("admin:django_gigq_job_change", args=[schedule.last_job_id])
        return format_html('<a href="{}">{}</a>', url, schedule.last_job_id)

    def save_model(self, request: HttpRequest, obj: Schedule, form, change: bool) -> None:
        # A new timing is planned afresh by the next worker (from the database's clock).
        if not change or any(name in form.changed_data for name in TIMING_FIELDS):
            obj.next_run_at = None
        super().save_model(request, obj, form, change)

    @admin.action(permissions=["change"], description="Enable selected schedules")
    def enable_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Enable the selected schedules; a worker plans their next tick afresh."""
        changed = queryset.filter(enabled=False).update(enabled=True, next_run_at=None)
        self.message_user(request, f"Enabled {changed} schedule(s).")

    @admin.action(permissions=["change"], description="Disable selected schedules")
    def disable_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Disable the selected schedules: they enqueue nothing until enabled."""
        changed = queryset.filter(enabled=True).update(enabled=False)
        self.message_user(request, f"Disabled {changed} schedule(s).")

    @admin.action(permissions=["change"], description="Run selected schedules now")
    def run_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Make the selected enabled schedules due now, for the next worker that looks."""
        # A Python datetime, not DatabaseNow(): SQLite stores the two as different text, and
        # the scheduler's guarded update compares next_run_at with the value it read.
        changed = queryset.filter(enabled=True).update(next_run_at=timezone.now())
        self.message_user(
            request, f"{changed} schedule(s) will run at a worker's next look (about a second)."
        )
