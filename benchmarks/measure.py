"""What the benchmarks measure about django-gigq itself: drain rate and pick-up latency."""

from __future__ import annotations

import statistics
import time

from .setup import analyze_job_tables, empty_job_tables, start_worker


def drain(total: int, concurrency: int) -> dict:
    """Drain ``total`` no-op jobs with ``gigq_worker --burst``; return rates and duplicates."""
    from django.db.models import Count, Max, Min

    from django_gigq import Job, JobQueue
    from django_gigq.models import JobExecution

    from .jobs import noop

    empty_job_tables()
    JobQueue().submit_many([Job("noop", noop) for _ in range(total)])
    analyze_job_tables()
    began = time.perf_counter()
    worker = start_worker("--burst", "--concurrency", str(concurrency), "--polling-interval", "0")
    _out, err = worker.communicate()
    wall = time.perf_counter() - began
    if worker.returncode:
        raise RuntimeError(f"gigq_worker failed: {err}")
    span = JobExecution.objects.aggregate(first=Min("started_at"), last=Max("completed_at"))
    running = (span["last"] - span["first"]).total_seconds()
    duplicates = (
        JobExecution.objects.values("job_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    return {
        "jobs": total,
        "executions": JobExecution.objects.count(),
        "duplicates": duplicates,
        "jobs_per_s": total / running,
        "jobs_per_s_with_startup": total / wall,
    }


def pickup_latency(count: int = 200, spacing: float = 0.02) -> dict:
    """Submit ``count`` jobs ``spacing`` s apart to an idle worker; return latency percentiles.

    Pick-up is the job's first start minus its submission, both read from the database
    clock. Record lag is how long after the function returned its completion was stored.
    """
    from django_gigq import Job, JobQueue
    from django_gigq.models import Job as JobRow
    from django_gigq.models import JobExecution

    from .jobs import noop

    empty_job_tables()
    queue = JobQueue()
    worker = start_worker("--concurrency", "1")
    try:
        warm_up = queue.submit(Job("warm-up", noop))
        _wait(lambda: queue.get_status(warm_up)["status"] == "completed")
        empty_job_tables()
        ids = []
        for _ in range(count):
            ids.append(queue.submit(Job("ping", noop)))
            time.sleep(spacing)
        _wait(lambda: JobRow.objects.filter(status="completed").count() == count)
    finally:
        worker.terminate()
        worker.wait()
    rows = JobExecution.objects.values_list(
        "job__created_at", "started_at", "completed_at", "duration"
    )
    pickups = sorted((started - created).total_seconds() * 1000 for created, started, _, _ in rows)
    lags = sorted(
        ((done - started).total_seconds() - duration) * 1000 for _, started, done, duration in rows
    )
    return {
        "jobs": count,
        "pickup_p50_ms": _percentile(pickups, 50),
        "pickup_p95_ms": _percentile(pickups, 95),
        "pickup_p99_ms": _percentile(pickups, 99),
        "record_lag_p50_ms": _percentile(lags, 50),
    }


def _percentile(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _wait(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark's worker did not finish in time")
        time.sleep(0.05)
