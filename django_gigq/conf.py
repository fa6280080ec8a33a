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
    def ALLOWED_MODULES(self) -> tuple[str, ...] | None:
        """Top-level packages whose callables workers may run (None: the default list)."""
        value = self._get("ALLOWED_MODULES", None)
        return None if value is None else tuple(value)


gigq_settings = GigQSettings()
