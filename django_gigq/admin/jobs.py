"""The job admin: a fast list, cancel / requeue with their own permissions, a full job page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from rangefilter.filters import DateRangeFilter

from ..models import Job, JobExecution
from ..states import UNSUCCESSFUL_STATES, JobStatus
from ..validation import parse_job_id
from . import display, operations
from .dashboard import dashboard_view
from .filters import BoundedCountPaginator, FunctionFilter, QueueFilter
from .mixins import IdSearchMixin, ReadOnlyMixin
from .operations import cancel_jobs, first_jobs, report, requeue_jobs

#: Links to dependencies or dependents shown on a job's page before "and more".
LINKS_SHOWN = 100

#: Characters of a worker id shown in the job list; the whole id shows on hover.
WORKER_CHARS = 16

ADMIN_CSS = {"all": ["django_gigq/admin.css"]}


def can_view_jobs(request: HttpRequest) -> bool:
    """Return whether the user may see jobs (and so their runs)."""
    opts = Job._meta
    return any(
        request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
        for action in ("view", "change")
    )


class JobExecutionInline(ReadOnlyMixin, admin.TabularInline):
    model = JobExecution
    extra = 0
    ordering = ("started_at", "id")
    fields = readonly_fields = (
        "attempt",
        "status_badge",
        "worker",
        "started_at",
        "run_time",
        "error_and_traceback",
    )
    verbose_name = "execution"
    verbose_name_plural = "executions (one per attempt)"

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        # A run is part of its job: whoever may see the job sees its runs.
        return can_view_jobs(request)

    @admin.display(description="status")
    def status_badge(self, execution: JobExecution) -> SafeString:
        return display.status_badge(execution.status)

    @admin.display(description="worker")
    def worker(self, execution: JobExecution) -> SafeString | str:
        return display.worker_link(execution.worker_id)

    @admin.display(description="duration")
    def run_time(self, execution: JobExecution) -> str:
        return display.format_seconds(execution.duration)

    @admin.display(description="error and traceback")
    def error_and_traceback(self, execution: JobExecution) -> SafeString | str:
        if not execution.traceback:
            return execution.error or "–"
        return format_html(
            '<details class="gigq-traceback"><summary>{}</summary>'
            '<pre class="gigq-pre">{}</pre></details>',
            execution.error or execution.exception_type or "traceback",
            execution.traceback,
        )


@admin.register(Job)
class JobAdmin(ReadOnlyMixin, IdSearchMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "status_badge",
        "queue",
        "priority",
        "attempts_of_max",
        "created",
        "started",
        "duration",
        "worker",
        "workflow",
    )
    list_filter = (
        "status",
        QueueFilter,
        FunctionFilter,
        ("created_at", DateRangeFilter),
        ("started_at", DateRangeFilter),
        ("completed_at", DateRangeFilter),
    )
    list_select_related = ("workflow",)
    search_fields = ("name", "function", "description")
    search_help_text = "Name, function or description; or paste a job id."
    ordering = ("-created_at", "-id")
    # Counting millions of rows on every page view is the slow part of a changelist: count
    # the matches only up to a bound, never the whole table, and never per filter choice.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = BoundedCountPaginator
    actions = ("cancel_selected", "requeue_selected")
    inlines = (JobExecutionInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "id",
                    ("name", "function"),
                    "description",
                    ("queue", "priority"),
                    "unique_key",
                    "workflow_link",
                )
            },
        ),
        (
            "State",
            {
                "fields": (
                    ("status_badge", "attempts", "max_attempts"),
                    "progress_bar",
                    ("timeout", "retry_delay", "retry_backoff", "retry_max_delay"),
                    "run_after",
                    "pending_dependencies",
                    "dependencies",
                    "dependents",
                    "cancelled_by_link",
                    ("worker_link", "lease_expires_at"),
                )
            },
        ),
        ("Params", {"fields": ("params_json",)}),
        ("Outcome", {"fields": ("result_json", "error_text", "last_traceback")}),
        (
            "Times",
            {
                "fields": (
                    ("created_at", "updated_at"),
                    ("started_at", "completed_at"),
                    "duration",
                )
            },
        ),
    )
    readonly_fields = flatten_fieldsets(fieldsets)

    class Media:
        css = ADMIN_CSS

    # The list's columns.

    def action_checkbox(self, job: Job) -> SafeString:
        # As Django's, without rendering a form widget through templates per row: that
        # was the largest cost of a 100-row page.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="Select this object for an action - {}">',
            helpers.ACTION_CHECKBOX_NAME,
            job.pk,
            job,
        )

    @admin.display(description="status", ordering="status")
    def status_badge(self, job: Job) -> SafeString:
        badge = display.status_badge(job.status)
        if job.status == JobStatus.RUNNING and job.progress is not None:
            return format_html(
                '{}<span class="gigq-progress-inline">{}%</span>', badge, round(job.progress * 100)
            )
        return badge

    @admin.display(description="attempts", ordering="attempts")
    def attempts_of_max(self, job: Job) -> str:
        return f"{job.attempts} / {job.max_attempts}"

    @admin.display(description="created", ordering="created_at")
    def created(self, job: Job) -> SafeString | str:
        return display.short_time(job.created_at)

    @admin.display(description="started", ordering="started_at")
    def started(self, job: Job) -> SafeString | str:
        return display.short_time(job.started_at)

    @admin.display(description="duration")
    def duration(self, job: Job) -> str:
        if job.completed_at is not None:
            return display.format_seconds(display.elapsed(job.started_at, job.completed_at))
        if job.status == JobStatus.RUNNING and job.started_at is not None:
            running = display.elapsed(job.started_at, timezone.now())
            return f"{display.format_seconds(running)} so far"
        return "–"

    @admin.display(description="worker", ordering="worker_id")
    def worker(self, job: Job) -> SafeString | str:
        return display.worker_link(job.worker_id, max_chars=WORKER_CHARS)

    # The job's page.

    @admin.display(description="progress")
    def progress_bar(self, job: Job) -> SafeString | str:
        return display.progress_bar(job.progress, job.progress_message)

    @admin.display(description="worker")
    def worker_link(self, job: Job) -> SafeString | str:
        return display.worker_link(job.worker_id)

    @admin.display(description="workflow")
    def workflow_link(self, job: Job) -> SafeString | str:
        if job.workflow_id is None:
            return "–"
        url = reverse("admin:django_gigq_workflow_change", args=[job.workflow_id])
        return format_html('<a href="{}">{}</a>', url, job.workflow)

    @admin.display(description="depends on")
    def dependencies(self, job: Job) -> SafeString | str:
        return self._job_links(Job.objects.using(job._state.db).dependencies_of(job.pk))

    @admin.display(description="needed by")
    def dependents(self, job: Job) -> SafeString | str:
        return self._job_links(Job.objects.using(job._state.db).dependents_of(job.pk))

    def _job_links(self, jobs) -> SafeString | str:
        rows = list(
            jobs.order_by("created_at", "id").only("id", "name", "status")[: LINKS_SHOWN + 1]
        )
        if not rows:
            return "–"
        items = format_html_join(
            "",
            "<li>{} {}</li>",
            (
                (display.job_link(row.pk, row.name), display.status_badge(row.status))
                for row in rows[:LINKS_SHOWN]
            ),
        )
        more = f"(only the first {LINKS_SHOWN} are listed)" if len(rows) > LINKS_SHOWN else ""
        return format_html('<ul class="gigq-links">{}</ul>{}', items, more)

    @admin.display(description="cancelled because of")
    def cancelled_by_link(self, job: Job) -> SafeString | str:
        if job.cancelled_by_id is None:
            return "–"
        return display.job_link(job.cancelled_by_id, str(job.cancelled_by_id))

    @admin.display(description="params")
    def params_json(self, job: Job) -> SafeString:
        return display.pretty_json(job.params)

    @admin.display(description="result")
    def result_json(self, job: Job) -> SafeString:
        return display.pretty_json(job.result)

    @admin.display(description="error")
    def error_text(self, job: Job) -> SafeString | str:
        return display.preformatted(job.error)

    @admin.display(description="traceback (latest run)")
    def last_traceback(self, job: Job) -> SafeString | str:
        runs = JobExecution.objects.using(job._state.db).of_job(job.pk)
        latest = runs.with_tracebacks().only("traceback").last()
        return display.preformatted(latest.traceback if latest else "")

    # Permissions of the actions and buttons.

    def has_cancel_job_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.cancel_job")

    def has_requeue_job_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.requeue_job")

    # Actions on the selected rows.

    @admin.action(permissions=["cancel_job"], description="Cancel selected pending jobs")
    def cancel_selected(self, request: HttpRequest, queryset) -> None:
        jobs = self._selected(request, queryset)
        if jobs is not None:
            report(self, request, cancel_jobs(jobs, using=queryset.db))

    @admin.action(
        permissions=["requeue_job"],
        description="Requeue selected failed, timed-out or cancelled jobs",
    )
    def requeue_selected(self, request: HttpRequest, queryset) -> None:
        jobs = self._selected(request, queryset)
        if jobs is not None:
            report(self, request, requeue_jobs(jobs, using=queryset.db))

    def response_action(self, request: HttpRequest, queryset, *args, **kwargs):
        # Django's own handling filters on the posted ids as they are: one that is not a
        # UUID would make the action fail with a server error instead of an answer.
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_job_id(value) for value in selected):
            self.message_user(
                request,
                "The selection holds something that is not a job id; nothing was changed. "
                "Select the jobs in the list and try again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, *args, **kwargs)

    def _selected(self, request: HttpRequest, queryset) -> list[Job] | None:
        jobs = first_jobs(queryset)
        if jobs is None:
            limit = operations.ACTION_LIMIT
            self.message_user(
                request,
                f"More than {limit:,} jobs are selected; an action changes at most "
                f"{limit:,} at a time. Narrow the list with filters and try again.",
                messages.ERROR,
            )
        return jobs

    # Pages of our own: the dashboard, and the buttons on a job's page.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="{}_{}_dashboard".format(*info),
            ),
            path(
                "<path:object_id>/cancel/",
                self.admin_site.admin_view(self.cancel_view),
                name="{}_{}_cancel".format(*info),
            ),
            path(
                "<path:object_id>/requeue/",
                self.admin_site.admin_view(self.requeue_view),
                name="{}_{}_requeue".format(*info),
            ),
        ]
        return own + super().get_urls()

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return dashboard_view(self, request)

    def cancel_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._button_view(request, object_id, self.has_cancel_job_permission, cancel_jobs)

    def requeue_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._button_view(request, object_id, self.has_requeue_job_permission, requeue_jobs)

    def _button_view(self, request, object_id, has_permission, operation) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_view_permission(request) and has_permission(request)):
            raise PermissionDenied
        job = self.get_object(request, unquote(object_id))
        if job is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        report(self, request, operation([job], using=job._state.db))
        return HttpResponseRedirect(reverse("admin:django_gigq_job_change", args=[job.pk]))

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Job | None = None,
    ) -> HttpResponse:
        # The buttons show where they can act; their views check again, and the API guards.
        context["can_cancel"] = bool(
            obj and obj.status == JobStatus.PENDING and self.has_cancel_job_permission(request)
        )
        context["can_requeue"] = bool(
            obj and obj.status in UNSUCCESSFUL_STATES and self.has_requeue_job_permission(request)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)


def _is_job_id(value: str) -> bool:
    try:
        parse_job_id(value)
    except (TypeError, ValueError):
        return False
    return True
