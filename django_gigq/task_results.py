"""``django.tasks`` results read from jobs: a ``TaskResult`` rebuilt from a job and its runs.

A task enqueued through ``GigQBackend`` is a job whose ``function`` is the task's
``module_path`` and whose ``params`` are ``{"args": [...], "kwargs": {...}}``. The job's
six states map onto the framework's four statuses; each execution is one attempt.
"""

from __future__ import annotations

import builtins
from typing import Any

from .exceptions import UnrunnableJob
from .importing import load_callable
from .models import Job as JobRow
from .models import JobExecution
from .states import JobStatus
from .tasks_compat import (
    InvalidTask,
    TaskError,
    TaskResult,
    TaskResultDoesNotExist,
    TaskResultStatus,
    is_task,
)
from .validation import parse_job_id

#: A pending job is READY whether it is due, scheduled for later or blocked on dependencies.
RESULT_STATUS = {
    JobStatus.PENDING: TaskResultStatus.READY,
    JobStatus.RUNNING: TaskResultStatus.RUNNING,
    JobStatus.COMPLETED: TaskResultStatus.SUCCESSFUL,
    JobStatus.FAILED: TaskResultStatus.FAILED,
    JobStatus.TIMEOUT: TaskResultStatus.FAILED,
    JobStatus.CANCELLED: TaskResultStatus.FAILED,
}

#: Execution statuses that are a failed attempt, with an error to report.
FAILED_ATTEMPTS = frozenset({JobStatus.FAILED, JobStatus.TIMEOUT})

#: Exception types the worker records without a module, and the class each one names.
_RECORDED_TYPES = {"WorkerLost": "django_gigq.exceptions.WorkerLost"}

_JOB_FIELDS = (
    "id",
    "function",
    "params",
    "queue",
    "priority",
    "status",
    "run_after",
    "created_at",
    "completed_at",
    "result",
)
_EXECUTION_FIELDS = ("worker_id", "status", "started_at", "exception_type", "error", "traceback")


def task_params(args: Any, kwargs: Any) -> dict[str, Any]:
    """Return the job params that carry a task's arguments."""
    return {"args": list(args), "kwargs": dict(kwargs)}


def task_arguments(params: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Return ``(args, kwargs)`` from a task job's params.

    Raises:
        UnrunnableJob: the params are not ``{"args": [...], "kwargs": {...}}``.
    """
    args, kwargs = params.get("args", []), params.get("kwargs", {})
    if (
        set(params) - {"args", "kwargs"}
        or not isinstance(args, list)
        or not isinstance(kwargs, dict)
    ):
        raise UnrunnableJob(
            f"a django.tasks job's params must be {{'args': [...], 'kwargs': {{...}}}}; "
            f"got {params!r}"
        )
    return args, kwargs


def get_task_result(result_id: Any, *, alias: str, using: str) -> TaskResult:
    """Return the ``TaskResult`` of the task job ``result_id``, read from ``using``.

    Raises:
        TaskResultDoesNotExist: no job has this id, or the job does not run a task.
    """
    try:
        job_id = parse_job_id(result_id)
    except (TypeError, ValueError):
        raise TaskResultDoesNotExist(f"no task result has id {result_id!r}") from None
    row = JobRow.objects.using(using).filter(id=job_id).values(*_JOB_FIELDS).first()
    if row is None:
        raise TaskResultDoesNotExist(f"no task result has id {result_id!r}")
    executions = list(
        JobExecution.objects.using(using)
        .filter(job_id=job_id)
        .order_by("started_at", "id")
        .values(*_EXECUTION_FIELDS)
    )
    return _task_result(row, executions, alias)


def _task_result(row: dict[str, Any], executions: list[dict[str, Any]], alias: str) -> TaskResult:
    try:
        args, kwargs = task_arguments(row["params"])
    except UnrunnableJob as exc:
        raise TaskResultDoesNotExist(f"job {row['id']} is not a task: {exc}") from None
    status = RESULT_STATUS[row["status"]]
    result = TaskResult(
        task=_task_of(row, executions, alias),
        id=str(row["id"]),
        status=status,
        enqueued_at=row["created_at"],
        started_at=executions[0]["started_at"] if executions else None,
        finished_at=row["completed_at"],
        last_attempted_at=executions[-1]["started_at"] if executions else None,
        args=args,
        kwargs=kwargs,
        backend=alias,
        errors=[_task_error(e) for e in executions if e["status"] in FAILED_ATTEMPTS],
        worker_ids=[execution["worker_id"] for execution in executions],
    )
    if status == TaskResultStatus.SUCCESSFUL:
        # The framework keeps the return value out of __init__; backends set it like this.
        object.__setattr__(result, "_return_value", row["result"])
    return result


def _task_of(row: dict[str, Any], executions: list[dict[str, Any]], alias: str) -> Any:
    """Return the job's Task, with the priority, queue and start time the job has."""
    try:
        task = load_callable(row["function"])
    except UnrunnableJob as exc:
        raise TaskResultDoesNotExist(f"job {row['id']} cannot be read as a task: {exc}") from None
    if not is_task(task):
        raise TaskResultDoesNotExist(
            f"job {row['id']} runs {row['function']}, which is not a django.tasks Task"
        )
    # Report run_after only when it is the task's own: a retry also moves it, to the time
    # the next attempt is due, which is after the first attempt started.
    first_start = executions[0]["started_at"] if executions else None
    own = row["run_after"] > row["created_at"] and (
        first_start is None or row["run_after"] <= first_start
    )
    deferred = row["run_after"] if own else None
    try:
        return task.using(
            priority=row["priority"], queue_name=row["queue"], run_after=deferred, backend=alias
        )
    except InvalidTask:
        # The task's definition changed since the job was stored (a queue removed from
        # QUEUES, say); report the job with the task as it is defined now.
        return task


def _task_error(execution: dict[str, Any]) -> TaskError:
    exception_type = execution["exception_type"] or "Exception"
    exception_type = _RECORDED_TYPES.get(exception_type, exception_type)
    if "." not in exception_type and hasattr(builtins, exception_type):
        # Recorded by the worker itself (a timeout is TimeoutError): name it importably.
        exception_type = f"builtins.{exception_type}"
    # Timeouts and lost workers have no traceback; their error says what happened.
    return TaskError(
        exception_class_path=exception_type,
        traceback=execution["traceback"] or execution["error"],
    )
