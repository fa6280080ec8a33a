"""The dashboard: where the jobs stand, how fast they finish, and who is working on them.

Every figure comes from a named query in ``models/querysets.py`` that an index serves or that reads
a bounded sample, so the page stays fast with millions of jobs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from ..conf import gigq_settings
from ..models import Job, JobExecution, PausedQueue, WorkerProcess
from ..states import JobStatus
from . import display
from .charts import MinuteCounts, finished_per_minute_chart

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

#: Minutes shown in the completed / failed chart.
CHART_MINUTES = 60

#: Finished runs read for the duration percentiles.
DURATION_SAMPLE = 5000

#: A live worker silent for this many heartbeat intervals is shown as late.
LATE_HEARTBEATS = 3


def can_pause_queues(request: HttpRequest) -> bool:
    """Return whether the user may pause and resume queues."""
    return request.user.has_perm(f"{PausedQueue._meta.app_label}.pause_queue")


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Return the ``fraction`` percentile of ``values`` (linear interpolation), or ``None``."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def status_summary(using: str) -> dict[str, Any]:
    """Return counts per status and per queue, with the oldest claimable job's age per queue
    and whether the queue is paused."""
    counts = Job.objects.using(using).count_by_queue_and_status()
    oldest = Job.objects.using(using).oldest_claimable_by_queue()
    paused = {row.queue: row for row in PausedQueue.objects.using(using)}
    now = timezone.now()
    per_status = dict.fromkeys(JobStatus.values, 0)
    queues: dict[str, dict[str, int]] = {}
    for (queue, status), n in counts.items():
        per_status[status] = per_status.get(status, 0) + n
        queues.setdefault(queue, dict.fromkeys(JobStatus.values, 0))[status] = n
    rows = []
    for queue in sorted(queues.keys() | oldest.keys() | paused.keys()):
        by_status = queues.get(queue, dict.fromkeys(JobStatus.values, 0))
        waited = display.elapsed(oldest[queue], now) if queue in oldest else None
        rows.append(
            {
                "name": queue,
                "counts": [by_status[status] for status in JobStatus.values],
                "total": sum(by_status.values()),
                "oldest_claimable": display.format_seconds(waited) if waited is not None else "–",
                "paused": paused.get(queue),
            }
        )
    return {
        "status_counts": [
            (status.value, status.label, per_status[status.value]) for status in JobStatus
        ],
        "total": sum(per_status.values()),
        "queues": rows,
    }


def minute_buckets(using: str, now: datetime, minutes: int = CHART_MINUTES) -> list[MinuteCounts]:
    """Return completed and failed counts for each of the last ``minutes`` minutes."""
    current = timezone.localtime(now).replace(second=0, microsecond=0)
    first = current - timedelta(minutes=minutes - 1)
    counts: dict[datetime, list[int]] = {}
    for minute, status, n in Job.objects.using(using).finished_per_minute(since=first):
        key = timezone.localtime(minute).replace(second=0, microsecond=0)
        slot = counts.setdefault(key, [0, 0])
        slot[0 if status == JobStatus.COMPLETED else 1] += n
    buckets = []
    for i in range(minutes):
        minute = first + timedelta(minutes=i)
        completed, failed = counts.get(minute, (0, 0))
        buckets.append(MinuteCounts(minute, completed, failed))
    return buckets


def duration_rows(using: str, sample: int = DURATION_SAMPLE) -> list[dict[str, Any]]:
    """Return p50 / p95 run time per function over the newest ``sample`` finished runs."""
    by_function = JobExecution.objects.using(using).recent_durations_by_function(sample)
    return [
        {
            "function": function,
            "runs": len(durations),
            "p50": display.format_seconds(percentile(durations, 0.5)),
            "p95": display.format_seconds(percentile(durations, 0.95)),
            "max": display.format_seconds(max(durations)),
        }
        for function, durations in sorted(by_function.items())
    ]


def worker_rows(using: str, now: datetime) -> list[dict[str, Any]]:
    """Return the live workers with how long ago each last beat, late ones flagged."""
    late_after = LATE_HEARTBEATS * gigq_settings.HEARTBEAT_INTERVAL
    rows = []
    for worker in WorkerProcess.objects.using(using).live().order_by("hostname", "id"):
        silent = display.elapsed(worker.last_heartbeat, now) or 0.0
        rows.append(
            {
                "worker": worker,
                "queues": ", ".join(worker.queues) or "all",
                "heartbeat_age": display.format_seconds(silent),
                "late": silent > late_after,
            }
        )
    return rows


def dashboard_view(model_admin: ModelAdmin, request: HttpRequest) -> TemplateResponse:
    """Render the dashboard for the jobs ``model_admin`` shows."""
    using = model_admin.get_queryset(request).db
    now = timezone.now()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Jobs dashboard",
        "opts": model_admin.opts,
        "app_label": model_admin.opts.app_label,
        **status_summary(using),
        "statuses": [(status.value, status.label) for status in JobStatus],
        "chart": finished_per_minute_chart(minute_buckets(using, now)),
        "chart_minutes": CHART_MINUTES,
        "durations": duration_rows(using),
        "duration_sample": DURATION_SAMPLE,
        "workers": worker_rows(using, now),
        "can_pause": can_pause_queues(request),
        "now": now,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/django_gigq/dashboard.html", context)
