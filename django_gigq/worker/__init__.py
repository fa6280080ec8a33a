"""Workers: run claimed jobs.

``Worker`` runs jobs in this process (GigQ's API); ``supervisor.Supervisor`` is the
multi-process runner behind ``manage.py gigq_worker``. Imports are lazy: a spawned child
process imports ``worker.child`` before Django is set up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .inprocess import Worker

__all__ = ["Worker"]


def __getattr__(name: str) -> Any:
    if name == "Worker":
        from .inprocess import Worker

        return Worker
    raise AttributeError(f"module 'django_gigq.worker' has no attribute {name!r}")
