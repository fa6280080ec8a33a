"""The admin: browse jobs, their runs and their workflows.

Everything is read-only. A job's fields belong to the state machine, and a full-row save
from a form would overwrite whatever a worker wrote meanwhile; deleting a job could leave
its dependents waiting forever. Changes go through the API (``JobQueue.cancel``,
``requeue_job``, ``clear_completed``).
"""

from __future__ import annotations

import uuid

from django.contrib import admin
from django.contrib.admin.utils import flatten, flatten_fieldsets
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .models import Job, JobExecution, Workflow


class ReadOnlyMixin:
    """View-only access: no add, change or delete, whatever the user's permissions."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class IdSearchMixin:
    """A search term that is a UUID finds the object with that id, through the primary key."""

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        try:
            object_id = uuid.UUID(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(pk=object_id), False


class JobExecutionInline(ReadOnlyMixin, admin.StackedInline):
    model = JobExecution
    extra = 0
    fields = (
        ("attempt", "status", "worker_id"),
        ("started_at", "completed_at", "duration"),
        "result",
        "error",
        "exception_type",
        "formatted_traceback",
    )
    readonly_fields = flatten(fields)

    @admin.display(description="traceback")
    def formatted_traceback(self, execution: JobExecution) -> str:
        return format_html("<pre>{}</pre>", execution.traceback) if execution.traceback else "–"


@admin.register(Job)
class JobAdmin(ReadOnlyMixin, IdSearchMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "status",
        "queue",
        "priority",
        "attempts",
        "max_attempts",
        "created_at",
        "started_at",
        "completed_at",
        "worker_id",
        "workflow",
    )
    list_filter = ("status", "queue")
    list_select_related = ("workflow",)
    search_fields = ("name", "function", "description")
    search_help_text = "Name, function or description; or paste a job id."
    # COUNT(*) over millions of rows on every page view is the slow part of a changelist.
    show_full_result_count = False
    inlines = (JobExecutionInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "id",
                    ("name", "function"),
                    "params",
                    ("queue", "priority"),
                    "description",
                    "workflow",
                )
            },
        ),
        (
            "State",
            {
                "fields": (
                    ("status", "attempts", "max_attempts"),
                    ("timeout", "retry_delay"),
                    "run_after",
                    ("pending_dependencies", "dependencies"),
                    "cancelled_by",
                    "worker_id",
                )
            },
        ),
        ("Outcome", {"fields": ("result", "error")}),
        ("Times", {"fields": (("created_at", "updated_at"), ("started_at", "completed_at"))}),
    )
    readonly_fields = flatten_fieldsets(fieldsets)

    @admin.display(description="depends on")
    def dependencies(self, job: Job) -> str:
        links = job.dependency_links.select_related("depends_on").order_by("id")
        rows = (
            (
                reverse("admin:django_gigq_job_change", args=[link.depends_on_id]),
                link.depends_on.name,
                link.depends_on.get_status_display(),
            )
            for link in links
        )
        return format_html_join(", ", '<a href="{}">{}</a> ({})', rows) or "–"


class WorkflowJobInline(ReadOnlyMixin, admin.TabularInline):
    model = Job
    fk_name = "workflow"
    extra = 0
    show_change_link = True
    fields = readonly_fields = (
        "name",
        "status",
        "function",
        "attempts",
        "created_at",
        "completed_at",
    )
    ordering = ("created_at", "id")


@admin.register(Workflow)
class WorkflowAdmin(ReadOnlyMixin, IdSearchMixin, admin.ModelAdmin):
    list_display = ("name", "created_at", "id")
    search_fields = ("name",)
    search_help_text = "Name; or paste a workflow id."
    show_full_result_count = False
    fields = readonly_fields = ("id", "name", "created_at")
    inlines = (WorkflowJobInline,)
