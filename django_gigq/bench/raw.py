"""The floor to compare against: bare psycopg loops on the same PostgreSQL database.

No framework and no job function. The drain loop locks up to ``batch`` pending rows with
``FOR UPDATE SKIP LOCKED``, marks them done and commits, in ``processes`` processes; the
insert loop inserts one row per transaction. They use a table of their own.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections

TABLE = "gigq_bench_raw_jobs"
_spawn = multiprocessing.get_context("spawn")


def connection_params(using: str) -> dict[str, Any]:
    """Return psycopg connection keywords for the Django database ``using``.

    Only plain values: Django's adapters and cursor class belong to its own connections
    (and cannot be sent to the loops' processes).
    """
    params = connections[using].get_connection_params()
    return {key: value for key, value in params.items() if isinstance(value, str | int | float)}


def _connect(params: dict[str, Any]):
    import psycopg

    return psycopg.connect(**params, autocommit=True)


def _prepare(params: dict[str, Any], rows: int) -> None:
    with _connect(params) as connection:
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, "
            "priority int NOT NULL DEFAULT 0, status text NOT NULL DEFAULT 'pending')"
        )
        connection.execute(
            f"CREATE INDEX IF NOT EXISTS {TABLE}_claim ON {TABLE} (priority DESC, id) "
            "WHERE status = 'pending'"
        )
        connection.execute(f"TRUNCATE {TABLE}")
        if rows:
            connection.execute(
                f"INSERT INTO {TABLE} (priority) SELECT 0 FROM generate_series(1, %s)", [rows]
            )
        connection.execute(f"VACUUM ANALYZE {TABLE}")


def _drain(params: dict[str, Any], batch: int, start) -> None:
    with _connect(params) as connection:
        start.wait()
        while True:
            with connection.transaction():
                rows = connection.execute(
                    f"SELECT id FROM {TABLE} WHERE status = 'pending' ORDER BY priority DESC, "
                    "id LIMIT %s FOR UPDATE SKIP LOCKED",
                    [batch],
                ).fetchall()
                if not rows:
                    return
                connection.execute(
                    f"UPDATE {TABLE} SET status = 'done' WHERE id = ANY(%s)",
                    [[row[0] for row in rows]],
                )


def drain_rate(using: str, jobs: int, processes: int, batch: int) -> float:
    """Return rows/s for ``processes`` loops draining ``jobs`` rows, ``batch`` per claim."""
    params = connection_params(using)
    _prepare(params, jobs)
    start = _spawn.Event()
    loops = [_spawn.Process(target=_drain, args=(params, batch, start)) for _ in range(processes)]
    for loop in loops:
        loop.start()
    time.sleep(1)  # let every process connect before the clock starts
    began = time.perf_counter()
    start.set()
    for loop in loops:
        loop.join()
    return jobs / (time.perf_counter() - began)


@contextmanager
def insert_loop(using: str) -> Iterator[Callable[[int], float]]:
    """Give a function that inserts ``rows`` rows, one per transaction, and returns seconds.

    The connection stays open between calls, so a caller can take turns with its own loop.
    """
    params = connection_params(using)
    _prepare(params, 0)
    with _connect(params) as connection:

        def insert(rows: int) -> float:
            began = time.perf_counter()
            for _ in range(rows):
                connection.execute(f"INSERT INTO {TABLE} (priority) VALUES (%s)", [0])
            return time.perf_counter() - began

        yield insert


def drop(using: str) -> None:
    """Remove the loops' table."""
    with _connect(connection_params(using)) as connection:
        connection.execute(f"DROP TABLE IF EXISTS {TABLE}")
