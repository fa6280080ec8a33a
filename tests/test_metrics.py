"""Prometheus metrics: counters where jobs are submitted and run, gauges from the database."""

import socket
import subprocess
import sys
import urllib.request
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from django_gigq import Job, JobStatus, Worker
from django_gigq.metrics import DatabaseCollector, scrape_registry
from django_gigq.models import Job as JobRow
from django_gigq.worker.heartbeat import register_worker
from tests import jobs
from tests.processes import ROOT, start_worker, stop, wait_for, worker_env
from tests.test_claim import analyze_job_table

pytestmark = pytest.mark.django_db(transaction=True)


def samples(text: str) -> dict:
    """Return ``{(sample name, frozenset of labels): value}`` from Prometheus' text format."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped: dict, name: str, **labels) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


def counted(name: str, **labels) -> float:
    """The value of a sample of this process's registry (0 if it has none yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_counters_follow_submissions_runs_retries_and_failures(queue):
    add = {"queue": "counted", "function": "tests.jobs.add"}
    fail = {"queue": "counted", "function": "tests.jobs.fail"}
    names = ("submitted", "started", "completed", "retried", "failed", "timed_out")
    before = {
        (name, key): counted(f"gigq_jobs_{name}_total", **labels)
        for name in names
        for key, labels in (("add", add), ("fail", fail))
    }
    durations = counted("gigq_job_duration_seconds_count", **add)

    queue.submit_many([Job(f"sum{i}", jobs.add, params={"a": i, "b": 1}, queue="counted")
                       for i in range(3)])  # fmt: skip
    queue.submit(Job("f", jobs.fail, max_attempts=2, queue="counted"))
    Worker(queues=["counted"], polling_interval=0).run(burst=True)

    def moved(name, key):
        labels = add if key == "add" else fail
        return counted(f"gigq_jobs_{name}_total", **labels) - before[name, key]

    assert [moved(name, "add") for name in names] == [3, 3, 3, 0, 0, 0]
    assert [moved(name, "fail") for name in names] == [1, 2, 0, 1, 1, 0]
    assert counted("gigq_job_duration_seconds_count", **add) - durations == 3


def test_view_serves_the_counters_and_the_queue_gauges(client, queue, settings):
    settings.ROOT_URLCONF = "docs.examples.observe.urls"
    now = timezone.now()
    queue.submit_many([Job("due", jobs.noop, queue="gauged") for _ in range(2)])
    queue.submit(Job("later", jobs.noop, queue="gauged", run_after=now + timedelta(hours=1)))
    parent = Job("parent", jobs.noop, queue="blocked")
    queue.submit_many([parent, Job("child", jobs.noop, queue="blocked", dependencies=[parent])])
    running = queue.submit(Job("running", jobs.noop, queue="busy"))
    JobRow.objects.filter(id=running).update(status="running")
    JobRow.objects.filter(queue="gauged").update(run_after=now - timedelta(minutes=5))
    JobRow.objects.filter(name="later").update(run_after=now + timedelta(hours=1))
    register_worker("w1", ["gauged"], 4, using="default")

    response = client.get("/internal/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    scraped = samples(response.content.decode())
    submitted = {"queue": "gauged", "function": "tests.jobs.noop"}
    assert value(scraped, "gigq_jobs_submitted_total", **submitted) >= 3
    depth = "gigq_queue_jobs"
    assert value(scraped, depth, queue="gauged", state="claimable") == 2
    assert value(scraped, depth, queue="gauged", state="scheduled") == 1
    assert value(scraped, depth, queue="gauged", state="running") == 0
    assert value(scraped, depth, queue="blocked", state="claimable") == 1  # the child waits
    assert value(scraped, depth, queue="busy", state="running") == 1
    age = value(scraped, "gigq_queue_oldest_claimable_age_seconds", queue="gauged")
    assert 300 <= age < 600
    assert value(scraped, "gigq_workers", state="running") == 1
    assert value(scraped, "gigq_worker_children", state="running") == 4
    assert value(scraped, "gigq_database_up") == 1


def full_scans_of_the_job_table(sql: str) -> list[str]:
    """Return the lines of ``sql``'s plan that read the whole job table."""
    table = JobRow._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            lines = [row[-1] for row in cursor.fetchall()]
            return [line for line in lines if line == f"SCAN {table}"]
        cursor.execute(f"EXPLAIN {sql}")
        rows = cursor.fetchall()
        columns = [column[0] for column in cursor.description]
    if connection.vendor == "postgresql":
        return [row[0] for row in rows if f"Seq Scan on {table}" in row[0]]
    plans = [dict(zip(columns, row, strict=True)) for row in rows]
    return [str(plan) for plan in plans if plan["table"] == table and plan["type"] == "ALL"]


def test_gauges_read_indexes_however_many_finished_jobs_the_table_keeps(queue):
    queue.submit_many([Job(f"old{i}", jobs.noop) for i in range(3000)])
    JobRow.objects.update(status=JobStatus.COMPLETED)
    queue.submit_many([Job(f"new{i}", jobs.noop, queue=f"q{i % 2}") for i in range(6)])
    JobRow.objects.filter(name="new0").update(status=JobStatus.RUNNING)
    analyze_job_table()

    with CaptureQueriesContext(connection) as queries:
        gauges = {family.name: family for family in DatabaseCollector().collect()}

    assert gauges["gigq_database_up"].samples[0].value == 1
    on_jobs = [q["sql"] for q in queries if JobRow._meta.db_table in q["sql"]]
    assert len(on_jobs) == 3
    for sql in on_jobs:
        assert full_scans_of_the_job_table(sql) == [], sql


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scrape(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            return samples(response.read().decode())
    except OSError:
        return None


def test_gigq_worker_serves_the_runs_of_its_children_on_its_metrics_port(queue):
    port = free_port()
    worker = start_worker("--concurrency", "2", "--polling-interval", "0.2", "--queue", "default",
                          "--metrics-port", str(port), "--metrics-addr", "127.0.0.1")  # fmt: skip
    try:
        first = wait_for(lambda: scrape(port), message="the metrics endpoint")
        assert value(first, "gigq_workers", state="running") == 1
        assert value(first, "gigq_database_up") == 1

        queue.submit_many([Job(f"sum{i}", jobs.add, params={"a": i, "b": 1}) for i in range(3)])
        queue.submit(Job("f", jobs.fail, max_attempts=2))
        queue.submit(Job("slow", jobs.sleep_then_record, params={"key": "s", "seconds": 60},
                         timeout=1, max_attempts=1))  # fmt: skip
        queue.submit(Job("elsewhere", jobs.noop, queue="unserved"))

        add = {"queue": "default", "function": "tests.jobs.add"}
        fail = {"queue": "default", "function": "tests.jobs.fail"}
        slow = {"queue": "default", "function": "tests.jobs.sleep_then_record"}

        def all_counted():
            scraped = scrape(port) or {}
            done = (
                value(scraped, "gigq_jobs_completed_total", **add) == 3
                and value(scraped, "gigq_jobs_failed_total", **fail) == 1
                and value(scraped, "gigq_jobs_timed_out_total", **slow) == 1
            )
            return scraped if done else None

        scraped = wait_for(all_counted, timeout=60, message="the counters to move")
    finally:
        exit_code, _out, err = stop(worker)
    assert exit_code == 0, err
    assert value(scraped, "gigq_jobs_started_total", **add) == 3
    assert value(scraped, "gigq_jobs_started_total", **fail) == 2
    assert value(scraped, "gigq_jobs_retried_total", **fail) == 1
    assert value(scraped, "gigq_jobs_started_total", **slow) == 1
    assert value(scraped, "gigq_job_duration_seconds_count", **add) == 3
    assert value(scraped, "gigq_job_duration_seconds_count", **slow) == 1
    assert value(scraped, "gigq_job_duration_seconds_sum", **slow) >= 1
    # Submissions are counted where they happen: here, not in the worker.
    assert value(scraped, "gigq_jobs_submitted_total", **add) == 0
    assert value(scraped, "gigq_queue_jobs", queue="unserved", state="claimable") == 1


def test_metrics_port_in_use_is_refused_with_the_address(db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"cannot serve metrics on 127.0.0.1:{port}"):
            call_command("gigq_worker", "--burst", "--metrics-port", str(port),
                         "--metrics-addr", "127.0.0.1")  # fmt: skip


def test_web_processes_in_multiprocess_mode_are_counted_together(queue, tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-m", "django", "gigq", "submit", "tests.jobs.noop",
             "--name", "n", "--queue", "multi"],
            env=worker_env(), cwd=ROOT, check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    from prometheus_client import generate_latest

    scraped = samples(generate_latest(scrape_registry()).decode())
    labels = {"queue": "multi", "function": "tests.jobs.noop"}
    assert value(scraped, "gigq_jobs_submitted_total", **labels) == 2
    assert value(scraped, "gigq_queue_jobs", queue="multi", state="claimable") == 2


# Without the extras


WITHOUT_EXTRAS = """
import sys
sys.modules["prometheus_client"] = None  # as if not installed: importing it fails
sys.modules["opentelemetry"] = None
import django
django.setup()
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_gigq import Job, JobQueue, Worker
from django_gigq.models import Job as JobRow
job_id = JobQueue().submit(Job("sum", "tests.jobs.add", params={"a": 1, "b": 2}, queue="bare"))
Worker(queues=["bare"], polling_interval=0).run(burst=True)
print(JobQueue().get_result(job_id), JobRow.objects.get(id=job_id).trace_context)
try:
    call_command("gigq_worker", "--metrics-port", "9100")
except CommandError as exc:
    print(exc)
"""


def test_without_the_extras_jobs_run_and_nothing_imports_them():
    run = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRAS],
        env=worker_env(), cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    result, message = run.stdout.splitlines()
    assert result == "3 None"
    assert message.startswith("--metrics-port needs prometheus_client")
    assert message.endswith("install django-gigq[prometheus]")
