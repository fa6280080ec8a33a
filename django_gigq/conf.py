"""django-gigq's settings: the ``GIGQ`` dict, with its defaults, read in one place.

Each setting is a property read at use, so ``override_settings(GIGQ=...)`` works in tests
and nothing is read at import time.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULT_DATABASE = "default"
DEFAULT_QUEUE = "default"
DEFAULT_POLLING_INTERVAL = 1.0
DEFAULT_MAX_PARAMS_BYTES = 1024 * 1024
DEFAULT_HEARTBEAT_INTERVAL = 5.0
DEFAULT_LEASE_SECONDS = 30.0
DEFAULT_RESCUE_INTERVAL = 15.0
DEFAULT_SHUTDOWN_TIMEOUT = 30.0
DEFAULT_CANCEL_GRACE_SECONDS = 5.0
DEFAULT_SCHEDULER_INTERVAL = 1.0
DEFAULT_PRUNE_INTERVAL = 3600.0
DEFAULT_HEALTH_MAX_AGE = 300.0


class GigQSettings:
    """Typed access to ``settings.GIGQ``."""

    def _get(self, name: str, default: Any) -> Any:
        return getattr(settings, "GIGQ", {}).get(name, default)

    @property
    def DATABASE(self) -> str:
        """The database alias that holds the job tables."""
        return self._get("DATABASE", DEFAULT_DATABASE)

    @property
    def DEFAULT_QUEUE(self) -> str:
        """The queue a job goes to when it names none."""
        return self._get("DEFAULT_QUEUE", DEFAULT_QUEUE)

    @property
    def POLLING_INTERVAL(self) -> float:
        """Seconds an idle worker waits before looking for jobs again."""
        return float(self._get("POLLING_INTERVAL", DEFAULT_POLLING_INTERVAL))

    @property
    def MAX_PARAMS_BYTES(self) -> int:
        """The largest JSON encoding of a job's params that submit accepts."""
        return int(self._get("MAX_PARAMS_BYTES", DEFAULT_MAX_PARAMS_BYTES))

    @property
    def HEARTBEAT_INTERVAL(self) -> float:
        """Seconds between a worker's heartbeats, which also renew its jobs' leases."""
        return float(self._get("HEARTBEAT_INTERVAL", DEFAULT_HEARTBEAT_INTERVAL))

    @property
    def LEASE_SECONDS(self) -> float:
        """How long a running job stays its worker's without a heartbeat.

        A job whose lease expired is rescued by any live worker: its worker died.
        """
        return float(self._get("LEASE_SECONDS", DEFAULT_LEASE_SECONDS))

    @property
    def RESCUE_INTERVAL(self) -> float:
        """Seconds between a worker's looks for jobs with expired leases and dead workers."""
        return float(self._get("RESCUE_INTERVAL", DEFAULT_RESCUE_INTERVAL))

    @property
    def SHUTDOWN_TIMEOUT(self) -> float:
        """Seconds running jobs get to finish after SIGTERM before they are put back."""
        return float(self._get("SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_TIMEOUT))

    @property
    def CANCEL_GRACE_SECONDS(self) -> float:
        """Seconds a running job that was cancelled gets to stop by itself before its
        worker stops it by force."""
        return float(self._get("CANCEL_GRACE_SECONDS", DEFAULT_CANCEL_GRACE_SECONDS))

    @property
    def SCHEDULER_INTERVAL(self) -> float:
        """Seconds between a worker's looks for due periodic schedules."""
        return float(self._get("SCHEDULER_INTERVAL", DEFAULT_SCHEDULER_INTERVAL))

    @property
    def PRUNE_AFTER_DAYS(self) -> dict[str, float] | None:
        """Days after which running workers delete finished jobs, per final status.

        An int (every final status) or a dict such as ``{"completed": 7, "failed": 30}``
        (statuses left out are kept); None (the default): workers never prune.
        """
        from .maintenance.pruning import parse_retention

        value = self._get("PRUNE_AFTER_DAYS", None)
        return None if value is None else parse_retention(value)

    @property
    def PRUNE_INTERVAL(self) -> float:
        """Seconds between a worker's prunings, when ``PRUNE_AFTER_DAYS`` is set."""
        return float(self._get("PRUNE_INTERVAL", DEFAULT_PRUNE_INTERVAL))

    @property
    def HEALTH_MAX_AGE(self) -> float:
        """Seconds the oldest claimable job may wait before the health check fails.

        ``manage.py gigq health --max-age`` and the health view's ``?max_age=`` override it.
        """
        return float(self._get("HEALTH_MAX_AGE", DEFAULT_HEALTH_MAX_AGE))

    @property
    def ALLOWED_MODULES(self) -> tuple[str, ...] | None:
        """Top-level packages whose callables workers may run (None: the default list)."""
        value = self._get("ALLOWED_MODULES", None)
        return None if value is None else tuple(value)


gigq_settings = GigQSettings()
