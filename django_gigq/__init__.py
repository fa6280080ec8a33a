"""django-gigq: database-backed background jobs for Django, with GigQ's API.

The public names are imported lazily, so ``django_gigq`` can sit in ``INSTALLED_APPS`` and
be imported before Django's app registry is ready.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0.dev0"

_EXPORTS = {
    "Job": "django_gigq.jobs",
    "JobStatus": "django_gigq.states",
    "JobType": "django_gigq.job_types",
    "JobContext": "django_gigq.context",
    "JobCancelled": "django_gigq.context",
    "JobSnoozed": "django_gigq.context",
    "current_context": "django_gigq.context",
    "DuplicateJob": "django_gigq.exceptions",
    "periodic": "django_gigq.schedules",
    "JobQueue": "django_gigq.queue",
    "Worker": "django_gigq.worker",
    "Workflow": "django_gigq.workflow",
    "task": "django_gigq.decorators",
    "TaskWrapper": "django_gigq.decorators",
    "setup_logging": "django_gigq.log",
    "close_connections": "django_gigq.log",
}

__all__ = [
    "DuplicateJob",
    "Job",
    "JobCancelled",
    "JobContext",
    "JobQueue",
    "JobSnoozed",
    "JobStatus",
    "JobType",
    "TaskWrapper",
    "Worker",
    "Workflow",
    "__version__",
    "close_connections",
    "current_context",
    "periodic",
    "setup_logging",
    "task",
]

if TYPE_CHECKING:
    from .context import JobCancelled, JobContext, JobSnoozed, current_context
    from .decorators import TaskWrapper, task
    from .exceptions import DuplicateJob
    from .job_types import JobType
    from .jobs import Job
    from .log import close_connections, setup_logging
    from .queue import JobQueue
    from .schedules import periodic
    from .states import JobStatus
    from .worker import Worker
    from .workflow import Workflow


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'django_gigq' has no attribute {name!r}") from None
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
