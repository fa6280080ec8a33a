"""Building blocks shared by the chaos scenarios: submitting jobs, draining, connections."""

from __future__ import annotations

import time

from django.db import connection

from django_gigq import Job, JobQueue
from django_gigq.models import Job as JobRow
from django_gigq.states import FINAL_STATES
from tests.chaos import jobs
from tests.chaos.harness import Fleet, wait_for

#: Enough attempts that no job runs out of them because of the chaos done to it.
ATTEMPTS = 25


def submit(count: int, seconds: float = 0.0, fail_rate: float = 0.0, **options) -> list[str]:
    """Submit ``count`` chaos jobs; return their ids."""
    batch = []
    for n in range(count):
        job = Job(f"chaos {n}", jobs.step, max_attempts=ATTEMPTS, **options)
        job.params = {"job_id": job.id, "seconds": seconds, "fail_rate": fail_rate}
        batch.append(job)
    ids = []
    for start in range(0, count, 1000):
        ids += JobQueue().submit_many(batch[start : start + 1000])
    return [str(job_id) for job_id in ids]


def final_count(job_ids: list[str]) -> int:
    return JobRow.objects.filter(id__in=job_ids, status__in=FINAL_STATES).count()


def drain(
    fleet: Fleet, job_ids: list[str], timeout: float, chaos=None, every: float = 1.0
) -> float:
    """Wait until every job is final, calling ``chaos()`` every ``every`` s meanwhile.

    Returns the seconds the drain took. ``chaos`` may return False to stop being called.
    """
    started = time.monotonic()
    deadline = started + timeout
    next_chaos = started + every
    total = len(job_ids)
    while True:
        done = wait_for(lambda: final_count(job_ids) + 1, timeout=60, message="the database") - 1
        if done == total:
            return time.monotonic() - started
        now = time.monotonic()
        if now >= deadline:
            raise AssertionError(
                f"{done} of {total} jobs final after {timeout}s; worker logs in {fleet.log_dir}"
            )
        if chaos is not None and now >= next_chaos:
            if chaos() is False:
                chaos = None
            next_chaos = now + every
        time.sleep(0.1)


def other_connections_query() -> str:
    """SQL listing the ids of the other connections to the test database."""
    if connection.vendor == "postgresql":
        return (
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    return (
        "SELECT id FROM information_schema.processlist "
        "WHERE db = DATABASE() AND id <> CONNECTION_ID()"
    )


def terminate_other_connections() -> int:
    """Close every other connection to the test database from the server side.

    On PostgreSQL, wait (up to 5 s each) until the backends have exited: a backend told to
    terminate may still commit the transaction it was in.
    """
    with connection.cursor() as cursor:
        cursor.execute(other_connections_query())
        ids = [row[0] for row in cursor.fetchall()]
        for backend in ids:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [backend])
            else:
                try:
                    cursor.execute(f"KILL CONNECTION {int(backend)}")
                except Exception:  # noqa: BLE001 - it may have closed meanwhile
                    pass
    return len(ids)
