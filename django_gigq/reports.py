"""Jobs and executions as the plain dicts GigQ's API returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .models import Job, JobDependency, JobExecution

_JOB_FIELDS = (
    "id",
    "name",
    "function",
    "params",
    "queue",
    "priority",
    "description",
    "unique_key",
    "status",
    "attempts",
    "max_attempts",
    "timeout",
    "retry_delay",
    "run_after",
    "pending_dependencies",
    "pass_parent_results",
    "workflow_id",
    "cancelled_by_id",
    "result",
    "error",
    "worker_id",
    "progress",
    "progress_message",
    "latest_execution_id",
    "created_at",
    "updated_at",
    "started_at",
    "completed_at",
)

_EXECUTION_FIELDS = (
    "id",
    "job_id",
    "attempt",
    "worker_id",
    "status",
    "started_at",
    "completed_at",
    "duration",
    "result",
    "error",
    "exception_type",
    "traceback",
)


def job_dicts(jobs) -> list[dict[str, Any]]:
    """Return each job of the queryset ``jobs`` as a dict with GigQ's keys (and ours)."""
    rows = list(jobs.values(*_JOB_FIELDS))
    dependencies = _dependencies_of([row["id"] for row in rows], jobs.db)
    return [_job_dict(row, dependencies.get(row["id"], [])) for row in rows]


def executions_of(job_id, using: str) -> list[dict[str, Any]]:
    """Return the job's executions, oldest first, as dicts."""
    rows = (
        JobExecution.objects.using(using)
        .filter(job_id=job_id)
        .order_by("started_at", "id")
        .values(*_EXECUTION_FIELDS)
    )
    return [_plain(row) for row in rows]


def _dependencies_of(job_ids: list, using: str) -> dict[Any, list[str]]:
    links = (
        JobDependency.objects.using(using)
        .filter(job_id__in=job_ids)
        .order_by("id")
        .values_list("job_id", "depends_on_id")
    )
    dependencies: dict[Any, list[str]] = {}
    for job_id, depends_on in links:
        dependencies.setdefault(job_id, []).append(str(depends_on))
    return dependencies


def _job_dict(row: dict[str, Any], dependencies: list[str]) -> dict[str, Any]:
    job = _plain(row)
    module, _, function_name = row["function"].rpartition(".")
    job.update(
        function_module=module,
        function_name=function_name,
        dependencies=dependencies,
        # GigQ's name for the earliest time a retry may start.
        retry_after=job["run_after"] if row["attempts"] else None,
    )
    return job


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """Ids as str and times as ISO 8601 strings, as GigQ returns them."""
    plain = {}
    for key, value in row.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        elif key in ("id", "job_id", "workflow_id", "cancelled_by_id") and value is not None:
            value = str(value)
        plain[key] = value
    return plain


__all__ = ["Job", "job_dicts", "executions_of"]
