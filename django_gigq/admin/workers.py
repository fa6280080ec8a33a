"""The worker admin: every ``gigq_worker`` process, read-only, as its heartbeats record it."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import flatten
from django.utils.safestring import SafeString

from ..models import WorkerProcess
from ..states import WorkerState
from . import display
from .jobs import ADMIN_CSS
from .mixins import ReadOnlyMixin


@admin.register(WorkerProcess)
class WorkerProcessAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The ``gigq_worker`` processes, read-only: host, pid, queues, state, heartbeats."""

    list_display = (
        "id",
        "hostname",
        "pid",
        "queue_names",
        "concurrency",
        "state_badge",
        "started_at",
        "last_heartbeat",
    )
    list_filter = ("state",)
    search_fields = ("id", "hostname")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    fields = (
        "id",
        ("hostname", "pid"),
        "queue_names",
        "concurrency",
        "state_badge",
        ("started_at", "last_heartbeat", "stopped_at"),
    )
    readonly_fields = flatten(fields)

    class Media:
        css = ADMIN_CSS

    @admin.display(description="queues")
    def queue_names(self, worker: WorkerProcess) -> str:
        return ", ".join(worker.queues) or "all"

    @admin.display(description="state", ordering="state")
    def state_badge(self, worker: WorkerProcess) -> SafeString:
        return display.status_badge(f"worker-{worker.state}", WorkerState(worker.state).label)
