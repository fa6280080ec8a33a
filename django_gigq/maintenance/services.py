"""The maintenance a worker's supervisor runs now and then besides the rescue.

Schedules (every ``GIGQ["SCHEDULER_INTERVAL"]`` seconds) and pruning (every
``GIGQ["PRUNE_INTERVAL"]`` seconds, when ``GIGQ["PRUNE_AFTER_DAYS"]`` is set). The
supervisor calls ``run_due`` from its maintenance step and wakes up by ``next_due``.
"""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError, InterfaceError

from ..conf import gigq_settings
from . import pruning, scheduler

logger = logging.getLogger(__name__)


class PeriodicServices:
    """When each service runs next, on this process's monotonic clock."""

    def __init__(self) -> None:
        self.next_schedule = 0.0
        self.next_prune = 0.0

    def run_due(self, using: str) -> bool:
        """Run the services whose time has come; return whether jobs were enqueued."""
        now = time.monotonic()
        enqueued = False
        if now >= self.next_schedule:
            self.next_schedule = now + gigq_settings.SCHEDULER_INTERVAL
            enqueued = bool(_guarded(scheduler.run_once, using))
        if now >= self.next_prune:
            self.next_prune = now + gigq_settings.PRUNE_INTERVAL
            _guarded(pruning.run_once, using)
        return enqueued

    def next_due(self) -> float:
        """The monotonic time at which ``run_due`` next has something to do."""
        if gigq_settings.PRUNE_AFTER_DAYS is None:
            return self.next_schedule
        return min(self.next_schedule, self.next_prune)


def _guarded(service, using: str) -> int:
    """Run a service; database errors go up (the supervisor reconnects), others are logged.

    A broken ``jobs`` module or a bad setting must not stop the worker from running jobs.
    """
    try:
        return service(using)
    except (DatabaseError, InterfaceError):
        raise
    except Exception:
        logger.exception("Maintenance service %s failed", service.__module__)
        return 0
