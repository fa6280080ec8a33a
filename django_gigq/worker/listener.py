"""A PostgreSQL LISTEN connection that wakes a supervisor when jobs arrive or must stop."""

from __future__ import annotations

import logging

from django.db import connections

from ..wakeup import CANCEL_CHANNEL, CHANNEL

logger = logging.getLogger("django_gigq.worker")


class Listener:
    """LISTEN on ``wakeup.CHANNEL`` and ``CANCEL_CHANNEL`` with a connection of its own
    (PostgreSQL only).

    ``fileno()`` lets the supervisor wait on it beside its children's pipes. The
    connection is opened lazily and reopened after a failure; while it is down the
    supervisor falls back to polling.
    """

    def __init__(self, using: str) -> None:
        self.using = using
        self.connection = None

    @staticmethod
    def supported(using: str) -> bool:
        """Return whether ``using`` can LISTEN: PostgreSQL, with psycopg 3 installed."""
        if connections[using].vendor != "postgresql":
            return False
        try:
            import psycopg  # noqa: F401
        except ImportError:  # psycopg2: Django works, but LISTEN here needs psycopg 3
            logger.warning("Install psycopg (version 3) for instant wake-ups; polling instead")
            return False
        return True

    def fileno(self) -> int:
        """Return the connection's socket, for ``select``."""
        return self.connection.fileno()

    def connect(self) -> bool:
        """Open the connection and LISTEN; return whether it is listening."""
        if self.connection is not None:
            return True
        import psycopg

        params = connections[self.using].get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        try:
            self.connection = psycopg.connect(**params, autocommit=True)
            self.connection.execute(f"LISTEN {CHANNEL}")
            self.connection.execute(f"LISTEN {CANCEL_CHANNEL}")
        except psycopg.Error as exc:
            logger.warning("Cannot LISTEN for new jobs (%s); polling instead", exc)
            self.close()
            return False
        return True

    def drain(self) -> set[str]:
        """Return the channels that received notifications since the last call."""
        if self.connection is None:
            return set()
        import psycopg

        try:
            return {notify.channel for notify in self.connection.notifies(timeout=0)}
        except psycopg.Error as exc:
            logger.warning("Lost the LISTEN connection (%s); will reconnect", exc)
            self.close()
            # Something may have arrived while it was failing: look now.
            return {CHANNEL, CANCEL_CHANNEL}

    def close(self) -> None:
        """Close the connection, if open; closing a broken one is not an error."""
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail anyhow
                pass
            self.connection = None
