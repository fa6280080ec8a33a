"""The floor to compare against: a bare psycopg FOR UPDATE SKIP LOCKED loop (PostgreSQL).

No framework, no job function: each transaction locks up to ``batch`` pending rows, marks
them done and commits. Measured with the same number of processes as the worker it is
compared with, in the same run.
"""

from __future__ import annotations

import multiprocessing
import os
import time

TABLE = "bench_raw_jobs"


def _connect():
    import psycopg

    return psycopg.connect(
        host=os.environ.get("PGHOST", "127.0.0.1"),
        user=os.environ.get("PGUSER", "postgres"),
        dbname="gigq_bench",
        autocommit=True,
    )


def prepare(total: int) -> None:
    with _connect() as connection:
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, "
            f"priority int NOT NULL DEFAULT 0, status text NOT NULL DEFAULT 'pending')"
        )
        connection.execute(
            f"CREATE INDEX IF NOT EXISTS {TABLE}_claim ON {TABLE} (priority DESC, id) "
            f"WHERE status = 'pending'"
        )
        connection.execute(f"TRUNCATE {TABLE}")
        connection.execute(
            f"INSERT INTO {TABLE} (priority) SELECT 0 FROM generate_series(1, %s)", [total]
        )
        connection.execute(f"VACUUM ANALYZE {TABLE}")


def _drain(batch: int, start: multiprocessing.Event) -> None:
    with _connect() as connection:
        start.wait()
        while True:
            with connection.transaction():
                rows = connection.execute(
                    f"SELECT id FROM {TABLE} WHERE status = 'pending' ORDER BY priority DESC, id "
                    f"LIMIT %s FOR UPDATE SKIP LOCKED",
                    [batch],
                ).fetchall()
                if not rows:
                    return
                connection.execute(
                    f"UPDATE {TABLE} SET status = 'done' WHERE id = ANY(%s)",
                    [[row[0] for row in rows]],
                )


def measure(total: int, processes: int, batch: int) -> float:
    """Return jobs/s for ``processes`` loops draining ``total`` rows, ``batch`` per claim."""
    prepare(total)
    start = multiprocessing.Event()
    workers = [
        multiprocessing.Process(target=_drain, args=(batch, start)) for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    time.sleep(0.5)  # let every process connect before the clock starts
    began = time.perf_counter()
    start.set()
    for worker in workers:
        worker.join()
    return total / (time.perf_counter() - began)
