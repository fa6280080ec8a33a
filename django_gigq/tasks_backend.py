"""``GigQBackend``: django-gigq as a backend for Django's Tasks framework.

Import it as ``django_gigq.backends.GigQBackend``; that module also loads when the
framework is missing. This one needs ``django.tasks`` (or the ``django-tasks`` backport).

Django builds backends when task modules are imported, possibly before the app registry
is ready, so nothing here imports models or touches a database until a task is enqueued
or a result read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import checks

from .retries import RetryBackoff
from .tasks_compat import (
    BaseTaskBackend,
    InvalidTask,
    Task,
    TaskResult,
    TaskResultStatus,
    normalize_json,
    task_enqueued,
)
from .validation import validate_int

#: The job options a task can set, as ``GigQTask`` fields or as backend ``OPTIONS``, with
#: the least value each accepts (``retry_backoff`` is a name, not a number).
JOB_OPTIONS = ("timeout", "max_attempts", "retry_delay", "retry_backoff", "retry_max_delay")
_MINIMUMS = {"timeout": 1, "max_attempts": 1, "retry_delay": 0, "retry_max_delay": 0}


def option_errors(options: dict[str, Any]) -> list[str]:
    """Return a message for each job option in ``options`` that a job would refuse."""
    errors = []
    for name, value in options.items():
        if name == "retry_backoff":
            if value not in RetryBackoff.values:
                errors.append(
                    f"retry_backoff must be one of {', '.join(RetryBackoff.values)}; got {value!r}"
                )
        elif name in _MINIMUMS and not (name == "retry_max_delay" and value is None):
            try:
                validate_int(name, value, minimum=_MINIMUMS[name])
            except (TypeError, ValueError) as exc:
                errors.append(str(exc))
    return errors


@dataclass(frozen=True, slots=True, kw_only=True)
class GigQTask(Task):
    """A ``Task`` with django-gigq's job options; ``None`` takes the backend's default.

    On Django 6.1, ``@task(timeout=60, max_attempts=5)`` builds one (the decorator hands
    extra keywords to the backend's ``task_class``). On 6.0 the decorator takes no extra
    keywords: set defaults for all tasks in the backend's ``OPTIONS`` instead.
    """

    #: Seconds one run may take.
    timeout: int | None = None
    #: Runs in all, the first included.
    max_attempts: int | None = None
    #: Seconds to wait before a retry (the base of the exponential policies).
    retry_delay: int | None = None
    #: ``"fixed"``, ``"exponential"`` or ``"random"``.
    retry_backoff: str | None = None
    #: The longest wait between attempts, in seconds.
    retry_max_delay: int | None = None


class GigQBackend(BaseTaskBackend):
    """Store tasks as django-gigq jobs; ``gigq_worker`` runs them.

    ``TASKS = {"default": {"BACKEND": "django_gigq.backends.GigQBackend"}}``. ``QUEUES``
    lists the queue names tasks may use (``[]``: any). ``OPTIONS`` sets job defaults for
    every task: ``timeout``, ``max_attempts``, ``retry_delay``, ``retry_backoff``,
    ``retry_max_delay``. Jobs live in ``GIGQ["DATABASE"]``.

    ``enqueue`` stores the job in the caller's transaction (a rollback leaves no job and
    wakes no worker); use ``transaction.on_commit(lambda: my_task.enqueue(...))`` to
    enqueue only after the commit.
    """

    task_class = GigQTask
    supports_defer = True
    supports_async_task = True
    supports_get_result = True
    supports_priority = True

    def validate_task(self, task: Task) -> None:
        """Check ``task`` as Django does, and its job options.

        Raises:
            InvalidTask: the task cannot be run by this backend.
        """
        super().validate_task(task)
        own = {name: getattr(task, name, None) for name in JOB_OPTIONS}
        errors = option_errors({name: value for name, value in own.items() if value is not None})
        if errors:
            raise InvalidTask(f"{task.module_path}: {'; '.join(errors)}")

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        """Store a job that runs ``task`` with ``args`` and ``kwargs``; return its result.

        The job goes through the same submission as ``JobQueue.submit``: the allowlist of
        modules, the params size limit and the worker wake-up all apply.

        Raises:
            InvalidTask: the task cannot be run by this backend.
            TypeError: an argument is not JSON.
            ValueError: the job was refused (too large, module not allowed, ...).
        """
        from .models import Job as JobRow
        from .queue import JobQueue

        self.validate_task(task)
        job = self._job(task, _json_arguments(args), _json_arguments(kwargs))
        queue = JobQueue()
        queue.submit(job)
        enqueued_at = JobRow.objects.using(queue.using).values_list("created_at", flat=True)
        result = TaskResult(
            task=task,
            id=job.id,
            status=TaskResultStatus.READY,
            enqueued_at=enqueued_at.get(id=job.id),
            started_at=None,
            finished_at=None,
            last_attempted_at=None,
            args=job.params["args"],
            kwargs=job.params["kwargs"],
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id: str) -> TaskResult:
        """Return the result of the task job ``result_id``, read from the database now.

        Raises:
            TaskResultDoesNotExist: no job has this id, or it does not run a task.
        """
        from .db import resolve_alias
        from .task_results import get_task_result

        return get_task_result(result_id, alias=self.alias, using=resolve_alias(None))

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        """Return system-check messages about this backend's configuration."""
        from .checks import check_tasks_backend

        return check_tasks_backend(self)

    def _job(self, task: Task, args: list[Any], kwargs: dict[str, Any]) -> Any:
        from .jobs import Job
        from .task_results import task_params

        options = {name: self.options[name] for name in JOB_OPTIONS if name in self.options}
        for name in JOB_OPTIONS:
            if getattr(task, name, None) is not None:
                options[name] = getattr(task, name)
        return Job(
            name=task.name,
            function=task.module_path,
            params=task_params(args, kwargs),
            priority=task.priority,
            queue=task.queue_name,
            run_after=task.run_after,
            **options,
        )


def _json_arguments(value: Any) -> Any:
    """Return task arguments as JSON values (as Django normalizes them), or raise TypeError."""
    try:
        return normalize_json(value)
    except RecursionError:
        raise TypeError("task arguments are nested too deeply to store as JSON") from None
