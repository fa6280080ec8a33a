"""Load: many workers on one PostgreSQL, a mixed workload, and what it costs the server.

8 workers × concurrency 2 drain 100,000 jobs (``GIGQ_CHAOS=full``; the short profile in
``make test`` runs 2 × 2 on 1,000): plain jobs at random priorities, jobs that fail now
and then and are retried, and workflows (chains of four with a fifth job waiting on all).
While they drain, a probe submits a top-priority job twice a second and measures how long
it waits to be claimed. Reported: jobs/s, the probes' claim latency (max and median),
deadlocks (``pg_stat_database.deadlocks``, must stay unchanged) and the most connections
open at once. The chaos checker then proves nothing was lost, doubled or overlapped.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import threading

import pytest
from django.db import connection, connections

from django_gigq import Job, JobQueue
from django_gigq.models import Job as JobRow
from django_gigq.models import JobExecution, WorkerProcess
from tests import jobs as test_jobs
from tests.chaos import jobs
from tests.chaos.checker import RESULTS_DIR, check
from tests.chaos.harness import FULL, Fleet, wait_for
from tests.chaos.scenarios import ATTEMPTS, drain
from tests.models import ChaosRun

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a PostgreSQL load test"),
]

TOTAL, WORKERS, CONCURRENCY = (100_000, 8, 2) if FULL else (400, 2, 2)
# GIGQ_LOAD_JOBS=N changes the number of jobs (a quicker full-size run: fewer jobs).
TOTAL = int(os.environ.get("GIGQ_LOAD_JOBS", TOTAL))


def chaos_job(name: str, rng: random.Random, **options) -> Job:
    job = Job(name, jobs.step, max_attempts=ATTEMPTS, **options)
    flaky = rng.random() < 0.1
    job.params = {"job_id": job.id, "seconds": 0.0, "fail_rate": 0.2 if flaky else 0.0}
    return job


def workload(total: int, rng: random.Random) -> list[Job]:
    """Plain jobs at random priorities (80%) and five-job workflows (20%)."""
    batch: list[Job] = []
    while len(batch) < total:
        if rng.random() < 0.2 / 5:
            chain = []
            for step in range(4):
                chain.append(chaos_job(f"flow step {step}", rng, dependencies=chain[-1:]))
            chain.append(chaos_job("flow end", rng, dependencies=list(chain)))
            batch += chain
        else:
            batch.append(chaos_job("plain", rng, priority=rng.randint(-5, 5)))
    return batch


def server_figure(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


DEADLOCKS = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
CONNECTIONS = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"


class Probe(threading.Thread):
    """Submit a top-priority job every half second; sample the connections in use."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.ids: list[str] = []
        self.max_connections = 0

    def run(self) -> None:
        try:
            while not self.stop.wait(0.5):
                self.ids.append(JobQueue().submit(Job("probe", test_jobs.noop, priority=1000)))
                self.max_connections = max(self.max_connections, server_figure(CONNECTIONS))
        finally:
            connections.close_all()


def workers_running() -> bool:
    running = WorkerProcess.objects.filter(state="running").count()
    return running >= WORKERS and ChaosRun.objects.exists()


def test_many_workers_drain_a_mixed_workload():
    batch = workload(TOTAL, random.Random(8))
    for start in range(0, len(batch), 2000):
        JobQueue().submit_many(batch[start : start + 2000])
    job_ids = [job.id for job in batch]
    deadlocks_before = server_figure(DEADLOCKS)
    probe = Probe()
    with Fleet(concurrency=CONCURRENCY) as fleet:
        for _ in range(WORKERS):
            fleet.start("--batch", "10")
        # Probe once every worker runs jobs: their start-up is not claim latency.
        wait_for(workers_running, timeout=300, message="the workers to start")
        probe.start()
        try:
            seconds = drain(fleet, job_ids, timeout=7200 if FULL else 300)
        finally:
            probe.stop.set()
            probe.join()
        survivors = [worker.name for worker in fleet.live]
        exits = fleet.close()
    assert all(exits[name] == 0 for name in survivors), exits

    latencies = [
        (execution.started_at - execution.job.created_at).total_seconds()
        for execution in JobExecution.objects.filter(job_id__in=probe.ids, attempt=1)
        .select_related("job")
    ]  # fmt: skip
    figures = {
        "database": connection.vendor,
        "profile": "full" if FULL else "short",
        "jobs": len(job_ids),
        "workers": WORKERS,
        "concurrency": CONCURRENCY,
        "seconds": round(seconds, 1),
        "jobs_per_s": round(len(job_ids) / seconds, 1),
        "retried_attempts": JobExecution.objects.filter(status="failed").count(),
        "probes": len(latencies),
        "claim_latency_max_s": round(max(latencies, default=0), 3),
        "claim_latency_p50_s": round(statistics.median(latencies) if latencies else 0, 3),
        "deadlocks": server_figure(DEADLOCKS) - deadlocks_before,
        "max_connections": probe.max_connections,
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    with open(RESULTS_DIR / "load-results.jsonl", "a") as out:
        out.write(json.dumps(figures) + "\n")
    print(figures)

    report = check("load: mixed workload", job_ids, seconds=seconds)
    report.save()
    report.assert_sound()
    assert figures["deadlocks"] == 0
    assert JobRow.objects.filter(id__in=probe.ids, status="completed").count() == len(probe.ids)
    # Each worker holds a connection in its supervisor and one per child, plus the
    # listener; the probe and this test hold theirs.
    assert figures["max_connections"] <= WORKERS * (CONCURRENCY + 2) + 4
