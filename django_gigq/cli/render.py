"""Human-readable output of the ``gigq`` command: job details and tables."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from ..states import JobStatus
from .tables import format_table, format_time, one_line

#: How much of an execution's error the executions table shows.
ERROR_PREVIEW_CHARS = 60


def to_json(data: Any) -> str:
    """Return ``data`` as indented JSON, times in ISO 8601 as ``JobQueue``'s dicts have them."""
    return json.dumps(data, cls=_JSONEncoder, indent=2)


def job_details(
    status: Mapping[str, Any],
    *,
    show_params: bool = False,
    show_result: bool = False,
    show_executions: bool = False,
) -> str:
    """Return GigQ's ``status`` lines for a job (a ``JobQueue.get_status`` dict)."""
    lines = [
        f"Job: {one_line(status['name'])} ({status['id']})",
        f"Status: {status['status']}",
        f"Function: {status['function']}",
        f"Queue: {status['queue']}",
        f"Created: {format_time(status['created_at'])}",
        f"Updated: {format_time(status['updated_at'])}",
        f"Started: {format_time(status['started_at'])}",
        f"Completed: {format_time(status['completed_at'])}",
        f"Attempts: {status['attempts']} / {status['max_attempts']}",
    ]
    if status["worker_id"]:
        lines.append(f"Worker: {status['worker_id']}")
    if status["error"]:
        lines.append(f"Error: {status['error']}")
    if show_params:
        lines += ["", *_mapping_section("Parameters", status["params"])]
    if show_result and status["result"] is not None:
        lines += ["", *_value_section("Result", status["result"])]
    if show_executions:
        lines += ["", *_executions_section(status["executions"])]
    return "\n".join(lines)


def jobs_table(jobs: Sequence[Mapping[str, Any]]) -> str:
    """Return GigQ's ``list`` table of jobs (``JobQueue.list_jobs`` dicts)."""
    rows = [
        (
            job["id"],
            job["name"],
            job["status"],
            job["priority"],
            format_time(job["created_at"]),
            format_time(job["updated_at"]),
        )
        for job in jobs
    ]
    headers = ("ID", "Name", "Status", "Priority", "Created", "Updated")
    return format_table(headers, rows, right={3})


def stats_table(stats: Mapping[str, int]) -> str:
    """Return the job count per status, in the states' order, then the total."""
    rows = [(status, stats[status]) for status in JobStatus.values]
    rows.append(("total", stats["total"]))
    return format_table(("Status", "Count"), rows, right={1})


def paused_queues_table(paused: Sequence[Mapping[str, Any]]) -> str:
    """Return a table of ``JobQueue.paused_queues()`` dicts."""
    rows = [
        (queue["queue"], format_time(queue["paused_at"]), queue["paused_by"], queue["reason"])
        for queue in paused
    ]
    return format_table(("Queue", "Paused at", "By", "Reason"), rows)


def workers_table(workers: Sequence[Mapping[str, Any]], *, show_stopped: bool) -> str:
    """Return a table of ``WorkerProcess`` rows (as dicts); ``Stopped`` only if asked."""
    headers = ["ID", "Host", "PID", "Queues", "Concurrency", "State", "Started", "Last heartbeat"]
    if show_stopped:
        headers.append("Stopped")
    rows = []
    for worker in workers:
        row = [
            worker["id"],
            worker["hostname"],
            worker["pid"],
            ", ".join(worker["queues"]) or "all",
            worker["concurrency"],
            worker["state"],
            format_time(worker["started_at"]),
            format_time(worker["last_heartbeat"]),
        ]
        if show_stopped:
            row.append(format_time(worker["stopped_at"]))
        rows.append(row)
    return format_table(headers, rows, right={2, 4})


def _executions_section(executions: Sequence[Mapping[str, Any]]) -> list[str]:
    if not executions:
        return ["Executions: none"]
    rows = [
        (
            execution["id"],
            execution["attempt"],
            execution["status"],
            format_time(execution["started_at"]),
            format_time(execution["completed_at"]),
            _preview(execution["error"]),
        )
        for execution in executions
    ]
    headers = ("ID", "Attempt", "Status", "Started", "Completed", "Error")
    return ["Executions:", format_table(headers, rows, right={1})]


def _mapping_section(title: str, values: Mapping[str, Any]) -> list[str]:
    if not values:
        return [f"{title}: none"]
    return [f"{title}:", *(f"  {key}: {_show(value)}" for key, value in values.items())]


def _value_section(title: str, value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return _mapping_section(title, value)
    return [f"{title}:", f"  {_show(value)}"]


def _show(value: Any) -> str:
    """Strings as they are, anything else as JSON (so ``None`` and ``"None"`` differ)."""
    return value if isinstance(value, str) else json.dumps(value)


def _preview(error: str) -> str:
    error = one_line(error)
    if len(error) <= ERROR_PREVIEW_CHARS:
        return error
    return error[: ERROR_PREVIEW_CHARS - 3] + "..."


class _JSONEncoder(DjangoJSONEncoder):
    """Full-precision ``isoformat()`` times, not ``DjangoJSONEncoder``'s milliseconds and Z."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)
