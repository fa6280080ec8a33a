"""What the benchmark measures of django-gigq: submit rates, drain rates, latencies.

Each function prepares the bench queue, measures, and returns a dict of figures. Drains
run a real ``gigq_worker`` process, started the way users start it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Max, Min

from ..jobs import Job
from ..models import Job as JobRow
from ..models import JobExecution
from ..queue import JobQueue
from ..workflow import Workflow
from . import BENCH_QUEUE
from .jobs import gather, noop
from .tables import add_finished_rows, analyze, clear_bench_jobs


def submit_one_by_one(
    count: int, using: str, beside: Callable[[int], float] | None = None, turns: int = 10
) -> dict[str, Any]:
    """Submit ``count`` jobs, each in its own transaction, as a web view would.

    With ``beside`` (a loop that inserts n rows and returns the seconds it took), the
    submits and that loop take ``turns`` turns each, so both see the same machine even as
    its load changes; its rate is ``raw``.
    """
    clear_bench_jobs(using)
    queue = JobQueue(using)
    ours = theirs = 0.0
    for turn in range(turns):
        size = count // turns + (turn < count % turns)
        began = time.perf_counter()
        for _ in range(size):
            queue.submit(Job("noop", noop, queue=BENCH_QUEUE))
        ours += time.perf_counter() - began
        if beside is not None:
            theirs += beside(size)
    figures = {"jobs": count, "jobs_per_s": count / ours}
    if beside is not None:
        figures["raw"] = count / theirs
    return figures


def submit_in_bulk(count: int, using: str) -> dict[str, Any]:
    """Submit ``count`` jobs with one ``submit_many`` call."""
    clear_bench_jobs(using)
    jobs = [Job("noop", noop, queue=BENCH_QUEUE) for _ in range(count)]
    began = time.perf_counter()
    JobQueue(using).submit_many(jobs)
    return {"jobs": count, "jobs_per_s": count / (time.perf_counter() - began)}


def drain(
    jobs: int, concurrency: int, using: str, *, backlog: int = 0, finished_rows: int = 0
) -> dict[str, Any]:
    """Drain ``jobs`` no-op jobs with ``gigq_worker --concurrency``, and time it.

    ``backlog`` more jobs wait behind them (the worker stops after ``jobs``), and
    ``finished_rows`` completed jobs already fill the table. The rate counts from the
    first job's start to the last one's end (``jobs_per_s``) and from the worker's launch
    (``jobs_per_s_with_startup``), both in database time and wall time respectively.
    """
    clear_bench_jobs(using)
    if finished_rows:
        add_finished_rows(finished_rows, using)
    JobQueue(using).submit_many(
        [Job("noop", noop, queue=BENCH_QUEUE) for _ in range(jobs + backlog)]
    )
    analyze(using)
    began = time.perf_counter()
    _run_worker(using, "--burst", "--concurrency", str(concurrency), "--max-jobs", str(jobs))
    wall = time.perf_counter() - began
    executions = JobExecution.objects.using(using).filter(job__queue=BENCH_QUEUE)
    span = executions.aggregate(first=Min("started_at"), last=Max("completed_at"))
    running = (span["last"] - span["first"]).total_seconds()
    duplicates = executions.values("job").annotate(n=Count("id")).filter(n__gt=1).count()
    return {
        "jobs": jobs,
        "W": concurrency,
        "backlog": backlog,
        "finished_rows": finished_rows,
        "executions": executions.count(),
        "duplicates": duplicates,
        "jobs_per_s": jobs / running,
        "jobs_per_s_with_startup": jobs / wall,
    }


def fan_out_fan_in(width: int, concurrency: int, using: str) -> dict[str, Any]:
    """Run a workflow of one job, ``width`` jobs after it, and one job after all of them."""
    clear_bench_jobs(using)
    workflow = Workflow("fan-out fan-in")
    root = workflow.add_job(Job("root", noop, queue=BENCH_QUEUE))
    middle = [
        workflow.add_job(Job(f"leaf {n}", noop, queue=BENCH_QUEUE), depends_on=[root])
        for n in range(width)
    ]
    sink = workflow.add_job(Job("sink", gather, queue=BENCH_QUEUE), depends_on=middle)
    workflow.submit_all(JobQueue(using))
    analyze(using)
    began = time.perf_counter()
    _run_worker(using, "--burst", "--concurrency", str(concurrency))
    wall = time.perf_counter() - began
    result = JobQueue(using).get_result(sink.id)
    if result != width:
        raise RuntimeError(f"the fan-in job saw {result} results, expected {width}")
    executions = JobExecution.objects.using(using).filter(job__queue=BENCH_QUEUE)
    span = executions.aggregate(first=Min("started_at"), last=Max("completed_at"))
    return {
        "jobs": width + 2,
        "W": concurrency,
        "seconds": (span["last"] - span["first"]).total_seconds(),
        "seconds_with_startup": wall,
    }


def pickup_latency(using: str, count: int = 200, spacing: float = 0.02) -> dict[str, Any]:
    """Submit ``count`` jobs ``spacing`` seconds apart to an idle worker; time each pick-up.

    Pick-up is a job's first start minus its submission; record lag is how long after
    the function returned its completion was stored. Both in database time.
    """
    clear_bench_jobs(using)
    queue = JobQueue(using)
    worker = _start_worker(using, "--concurrency", "1")
    try:
        warm_up = queue.submit(Job("warm-up", noop, queue=BENCH_QUEUE))
        _wait_until(lambda: queue.get_status(warm_up)["status"] == "completed")
        clear_bench_jobs(using)
        for _ in range(count):
            queue.submit(Job("ping", noop, queue=BENCH_QUEUE))
            time.sleep(spacing)
        bench_jobs = JobRow.objects.using(using).in_queue(BENCH_QUEUE)
        _wait_until(lambda: bench_jobs.final().count() == count)
    finally:
        worker.terminate()
        worker.wait()
    rows = (
        JobExecution.objects.using(using)
        .filter(job__queue=BENCH_QUEUE)
        .values_list("job__created_at", "started_at", "completed_at", "duration")
    )
    pickups = [(started - created).total_seconds() * 1000 for created, started, _, _ in rows]
    lags = [
        ((done - started).total_seconds() - duration) * 1000 for _, started, done, duration in rows
    ]
    return {
        "jobs": count,
        "pickup_p50_ms": percentile(pickups, 50),
        "pickup_p95_ms": percentile(pickups, 95),
        "pickup_p99_ms": percentile(pickups, 99),
        "record_lag_p50_ms": percentile(lags, 50),
    }


def percentile(values: list[float], percent: int) -> float:
    """Return the ``percent`` percentile of ``values``."""
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[percent - 1]


def _start_worker(using: str, *args: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "django", "gigq_worker", "-v", "0", "--database", using]
    command += ["--queue", BENCH_QUEUE, "--polling-interval", "0.5", *args]
    return subprocess.Popen(
        command,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_worker(using: str, *args: str) -> None:
    worker = _start_worker(using, *args)
    _out, err = worker.communicate()
    if worker.returncode:
        raise RuntimeError(f"gigq_worker exited with {worker.returncode}: {err}")


def _wait_until(condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark's worker did not finish in time")
        time.sleep(0.05)
