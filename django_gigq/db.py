"""Database helpers shared by every module that writes jobs: time, ids and transactions."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import connections, models, transaction
from django.db.models.functions import Now


class DatabaseNow(Now):
    """The database's current time in UTC.

    Every comparison of job times uses the database's clock, never a worker's, so machines
    with skewed clocks agree on when a job may run. Django's ``Now()`` on MySQL/MariaDB is
    ``CURRENT_TIMESTAMP`` in the session time zone, which Django does not set; Django
    stores UTC there, so ask for UTC explicitly.
    """

    def as_mysql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="UTC_TIMESTAMP(6)", **extra_context)


def database_now_plus(seconds: float) -> models.Expression:
    """Return an expression for the database time ``seconds`` from now."""
    if not seconds:
        return DatabaseNow()
    return models.ExpressionWrapper(
        DatabaseNow() + timedelta(seconds=seconds), output_field=models.DateTimeField()
    )


def uuid7() -> uuid.UUID:
    """Return a time-ordered UUID (RFC 9562 version 7).

    Ids made at the same millisecond share a prefix, so new rows land at the end of the
    primary-key index instead of at random pages, and ids sort by creation time. Within a
    process they strictly increase: ids made in the same millisecond count up in the 12
    bits after the time (RFC 9562, method 1), so jobs submitted faster than the
    database's clock ticks (SQLite keeps milliseconds) still list in submission order.
    """
    global _last_made
    random_bits = int.from_bytes(os.urandom(10), "big")
    unix_ms = time.time_ns() // 1_000_000
    with _made_lock:
        last_ms, last_counter = _last_made
        if unix_ms > last_ms:
            counter = random_bits >> 69  # 11 random bits: room to count up after them
        elif last_counter < _COUNTER_MAX:  # the same millisecond, or the clock went back
            unix_ms, counter = last_ms, last_counter + 1
        else:  # a spent counter borrows the next millisecond
            unix_ms, counter = last_ms + 1, random_bits >> 69
        _last_made = (unix_ms, counter)
    rand_b = random_bits & ((1 << 62) - 1)
    value = (unix_ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)


_COUNTER_MAX = (1 << 12) - 1
_made_lock = threading.Lock()
#: The millisecond and counter of the last id this process made.
_last_made = (0, 0)


@contextmanager
def write_transaction(using: str) -> Iterator[None]:
    """Open a transaction that will write jobs.

    On SQLite the transaction takes the database's write lock at BEGIN (``BEGIN
    IMMEDIATE``). A deferred transaction that reads and then writes cannot upgrade its lock
    once another process has committed in between, and fails at once with "database is
    locked" instead of waiting; taking the lock first makes concurrent workers queue up on
    the busy timeout, and makes read-then-update claims exactly-once without row locks.
    Inside an existing transaction this is a savepoint, as ``atomic`` would be.
    """
    connection = connections[using]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic(using=using):
            yield
        return
    # Connect first: connecting resets transaction_mode from the settings.
    connection.ensure_connection()
    previous_mode = connection.transaction_mode
    connection.transaction_mode = "IMMEDIATE"
    try:
        with transaction.atomic(using=using):
            connection.transaction_mode = previous_mode
            yield
    finally:
        connection.transaction_mode = previous_mode


def resolve_alias(using: str | None) -> str:
    """Return the database alias for the job tables.

    ``None`` means ``GIGQ["DATABASE"]``. GigQ code passes a SQLite file path where the
    alias goes (``JobQueue("jobs.db")``); django-gigq keeps jobs in a Django database, so
    such a path is accepted with a warning and the configured database is used.

    Raises:
        ValueError: ``using`` is neither a configured alias nor a file path.
    """
    from .conf import gigq_settings

    if using is None:
        return gigq_settings.DATABASE
    if not isinstance(using, str):
        raise TypeError(f"using must be a database alias (str); got {type(using).__name__}")
    if using in connections.settings:
        return using
    if using == ":memory:" or "/" in using or os.path.splitext(using)[1] in _DB_FILE_SUFFIXES:
        import warnings

        from .exceptions import GigQCompatibilityWarning

        warnings.warn(
            f"django-gigq stores jobs in the Django database {gigq_settings.DATABASE!r}; "
            f"the GigQ database path {using!r} is ignored",
            GigQCompatibilityWarning,
            stacklevel=3,
        )
        return gigq_settings.DATABASE
    aliases = ", ".join(connections.settings)
    raise ValueError(f"unknown database alias {using!r}; DATABASES defines: {aliases}")


_DB_FILE_SUFFIXES = frozenset({".db", ".sqlite", ".sqlite3"})
