"""The workflow admin: its jobs as a dependency graph, with how many are in each status."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..models import Job, Workflow
from ..states import JobStatus
from .graph import Node, dependency_graph_svg
from .jobs import ADMIN_CSS
from .mixins import IdSearchMixin, ReadOnlyMixin

#: The most jobs drawn in a workflow's graph; the job list shows them all.
GRAPH_LIMIT = 300


@admin.register(Workflow)
class WorkflowAdmin(ReadOnlyMixin, IdSearchMixin, admin.ModelAdmin):
    """Workflows, read-only; a workflow's page draws its jobs as a dependency graph."""

    list_display = ("name", "created_at", "id")
    search_fields = ("name",)
    search_help_text = "Name; or paste a workflow id."
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    fields = readonly_fields = ("id", "name", "created_at", "jobs_link")
    change_form_template = "admin/django_gigq/workflow/change_form.html"

    class Media:
        css = ADMIN_CSS

    @admin.display(description="jobs")
    def jobs_link(self, workflow: Workflow) -> SafeString:
        url = reverse("admin:django_gigq_job_changelist")
        return format_html(
            '<a href="{}?workflow__id__exact={}">Show this workflow\'s jobs in the job list</a>',
            url,
            workflow.pk,
        )

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Workflow | None = None,
    ) -> HttpResponse:
        if obj is not None:
            context.update(workflow_graph(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)


def workflow_graph(workflow: Workflow) -> dict[str, Any]:
    """Return the template context for the workflow's graph and status counts."""
    using = workflow._state.db
    jobs = list(
        Job.objects.using(using)
        .in_workflow(workflow.pk)
        .order_by("created_at", "id")
        .only("id", "name", "status")[: GRAPH_LIMIT + 1]
    )
    truncated = len(jobs) > GRAPH_LIMIT
    jobs = jobs[:GRAPH_LIMIT]
    edges = Job.objects.using(using).dependency_pairs(job.pk for job in jobs)
    nodes = [
        Node(
            id=job.pk,
            name=job.name,
            status=job.status,
            status_label=JobStatus(job.status).label,
            url=reverse("admin:django_gigq_job_change", args=[job.pk]),
        )
        for job in jobs
    ]
    counts = workflow.status_counts()
    status_counts = [(status.value, status.label, counts[status.value]) for status in JobStatus]
    return {
        "graph_svg": dependency_graph_svg(nodes, edges) if nodes else None,
        "graph_truncated": truncated,
        "graph_limit": GRAPH_LIMIT,
        "status_counts": status_counts,
        "job_total": sum(counts.values()),
    }
