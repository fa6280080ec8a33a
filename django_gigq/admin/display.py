"""Small HTML pieces shared by the admin pages: status badges, durations, JSON, links."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..states import ExecutionStatus, JobStatus

_STATUS_LABELS = {**dict(ExecutionStatus.choices), **dict(JobStatus.choices)}


def status_badge(status: str, label: str | None = None) -> SafeString:
    """Return a coloured badge for a job, run or worker status (colours: django_gigq/admin.css)."""
    if label is None:
        label = _STATUS_LABELS.get(status, status)
    return format_html('<span class="gigq-badge gigq-status-{}">{}</span>', status, label)


def progress_bar(fraction: float | None, message: str = "") -> SafeString | str:
    """Return a bar showing the progress a job reported, with its percentage and message."""
    if fraction is None:
        return "–"
    percent = round(fraction * 100)
    return format_html(
        '<div class="gigq-progress"><progress max="100" value="{}">{}%</progress>'
        " <strong>{}%</strong> {}</div>",
        percent,
        percent,
        percent,
        message,
    )


def format_seconds(seconds: float | None) -> str:
    """Return ``seconds`` for a reader: ``"850 ms"``, ``"12.3 s"``, ``"4 min 05 s"``."""
    if seconds is None:
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def elapsed(start: datetime | None, end: datetime | None) -> float | None:
    """Return the seconds from ``start`` to ``end``, or ``None`` if either is missing."""
    if start is None or end is None:
        return None
    return max((end - start) / timedelta(seconds=1), 0.0)


def short_time(moment: datetime | None) -> SafeString | str:
    """Return ``moment`` in local time, as short as is unambiguous; the full time on hover.

    Today's times show the clock only (``13:19:05``), this year's the day and minute
    (``23 Nov 13:19``), older ones the date: a list of jobs stays narrow.
    """
    if moment is None:
        return "–"
    local = timezone.localtime(moment)
    today = timezone.localdate()
    if local.date() == today:
        text = local.strftime("%H:%M:%S")
    elif local.year == today.year:
        text = local.strftime("%d %b %H:%M")
    else:
        text = local.strftime("%Y-%m-%d")
    full = local.strftime("%Y-%m-%d %H:%M:%S %Z")
    return format_html('<time datetime="{}" title="{}">{}</time>', moment.isoformat(), full, text)


def pretty_json(value: Any) -> SafeString:
    """Return ``value`` as indented JSON in a ``<pre>`` block."""
    if value is None:
        return format_html('<span class="gigq-muted">{}</span>', "null")
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return format_html('<pre class="gigq-pre">{}</pre>', text)


def preformatted(text: str) -> SafeString | str:
    """Return ``text`` in a ``<pre>`` block, or a dash when it is empty."""
    return format_html('<pre class="gigq-pre">{}</pre>', text) if text else "–"


def job_link(job_id: Any, text: str) -> SafeString:
    """Return a link to the job's admin page."""
    url = reverse("admin:django_gigq_job_change", args=[job_id])
    return format_html('<a href="{}">{}</a>', url, text)


def worker_link(worker_id: str | None, max_chars: int | None = None) -> SafeString | str:
    """Return a link to the worker's admin page (no query: the page may say it is gone).

    With ``max_chars``, a longer id is cut short, and shown whole on hover.
    """
    if not worker_id:
        return "–"
    url = reverse("admin:django_gigq_workerprocess_change", args=[quote(worker_id)])
    text = worker_id
    if max_chars is not None and len(worker_id) > max_chars:
        text = worker_id[: max_chars - 1] + "…"
    return format_html('<a href="{}" title="{}">{}</a>', url, worker_id, text)
