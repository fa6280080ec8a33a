"""Running a job that is a ``django.tasks`` Task: its arguments, its context, its signals.

``execution.run_job`` hands over here when the job's function imports as a ``Task``. The
task's function is called with the stored ``args`` and ``kwargs`` (and a ``TaskContext``
first when the task ``takes_context``); ``task_started`` is sent before the call and
``task_finished`` once the task is finished for good: it succeeded, or failed with no
attempt left. An attempt that will be retried sends no ``task_finished``.

A last attempt ended from outside the task (a timeout, a lost worker) is finished too:
``finish_interrupted`` sends its ``task_finished`` from the process that recorded it.
"""

from __future__ import annotations

import inspect
import time
from typing import Any

from django.utils import timezone

from .claim import ClaimedJob
from .context import JobCancelled, JobSnoozed
from .exceptions import UnrunnableJob
from .execution import Outcome
from .importing import load_callable
from .task_results import get_task_result, task_arguments
from .tasks_compat import (
    TaskContext,
    TaskError,
    TaskResultDoesNotExist,
    TaskResultStatus,
    is_task,
    normalize_json,
    task_finished,
    task_started,
)
from .validation import encode_json


def run_task(task: Any, job: ClaimedJob, using: str) -> Outcome:
    """Run one attempt of the task job ``job`` and return its outcome.

    Exceptions raised by the task become a failed ``Outcome``; only ``KeyboardInterrupt``
    propagates.

    Raises:
        UnrunnableJob: the job cannot be read as a task (``run_job`` fails it at once).
    """
    started = time.perf_counter()
    backend = task.get_backend()
    sender = type(backend)
    try:
        # Read back from the database: the context sees every attempt, this one included.
        task_result = get_task_result(job.id, alias=task.backend, using=using)
    except TaskResultDoesNotExist as exc:
        raise UnrunnableJob(str(exc)) from exc
    task_started.send(sender=sender, task_result=task_result)
    try:
        args, kwargs = task_arguments(job.params)
        if task.takes_context:
            args = [TaskContext(task_result=task_result), *args]
        _check_signature(task, args, kwargs)
    except UnrunnableJob as exc:
        return _failed(job, task_result, sender, exc, started)
    try:
        value = _json_value(task, task.call(*args, **kwargs))
    except (JobSnoozed, JobCancelled) as exc:  # asked for through current_context()
        return _controlled(job, task_result, sender, exc, started)
    except (Exception, SystemExit) as exc:
        # Inside the except block: Django's task_finished receiver logs the traceback.
        return _failed(job, task_result, sender, exc, started)
    _set(task_result, status=TaskResultStatus.SUCCESSFUL, _return_value=value)
    _set(task_result, finished_at=timezone.now())
    task_finished.send(sender=sender, task_result=task_result)
    return Outcome(job=job, succeeded=True, result=value, duration=time.perf_counter() - started)


def finish_interrupted(job: ClaimedJob, using: str) -> None:
    """Send ``task_finished`` for a task job whose last attempt was ended from outside.

    A timeout or a lost worker ends the attempt without the task's process reporting it,
    so ``run_task`` sent nothing. Called once the job's failure has committed, by the
    process that recorded it (the worker's supervisor, or a rescuing worker); the result
    is FAILED, its last error the timeout or the lost worker. Jobs that are not tasks, or
    whose task can no longer be imported, send nothing.
    """
    try:
        task = load_callable(job.function)
    except UnrunnableJob:
        return
    if not is_task(task):
        return
    try:
        task_result = get_task_result(job.id, alias=task.backend, using=using)
    except TaskResultDoesNotExist:
        return
    task_finished.send(sender=type(task.get_backend()), task_result=task_result)


def _check_signature(task: Any, args: list[Any], kwargs: dict[str, Any]) -> None:
    try:
        signature = inspect.signature(task.func)
    except (TypeError, ValueError):  # no introspectable signature: let the call decide
        return
    try:
        signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise UnrunnableJob(
            f"the arguments stored for {task.module_path} do not match its signature "
            f"{signature}: {exc}"
        ) from exc


def _json_value(task: Any, value: Any) -> Any:
    try:
        value = normalize_json(value)
        encode_json(value, "the return value")
    except TypeError as exc:
        raise UnrunnableJob(
            f"{task.module_path} ran, but {exc}; return JSON values (dicts, lists, str, numbers)"
        ) from exc
    return value


def _failed(
    job: ClaimedJob, task_result: Any, sender: type, exc: BaseException, started: float
) -> Outcome:
    outcome = Outcome.failed_with(job, exc, time.perf_counter() - started)
    task_result.errors.append(
        TaskError(exception_class_path=outcome.exception_type, traceback=outcome.traceback)
    )
    if outcome.retryable and job.attempt < job.max_attempts:
        # completion.record_outcomes will put the job back to pending for another attempt.
        _set(task_result, status=TaskResultStatus.READY)
    else:
        _set(task_result, status=TaskResultStatus.FAILED, finished_at=timezone.now())
        task_finished.send(sender=sender, task_result=task_result)
    return outcome


def _controlled(
    job: ClaimedJob, task_result: Any, sender: type, exc: BaseException, started: float
) -> Outcome:
    """A snooze leaves the task READY to run again; a cancellation finishes it FAILED
    without an error (as cancelling a queued task does): neither was a failed attempt."""
    outcome = Outcome.from_control(job, exc, time.perf_counter() - started)
    if outcome.snooze_seconds is not None:
        _set(task_result, status=TaskResultStatus.READY)
    else:
        _set(task_result, status=TaskResultStatus.FAILED, finished_at=timezone.now())
        task_finished.send(sender=sender, task_result=task_result)
    return outcome


def _set(task_result: Any, **values: Any) -> None:
    # TaskResult is a frozen dataclass; backends update it in place, as Django's do.
    for name, value in values.items():
        object.__setattr__(task_result, name, value)
