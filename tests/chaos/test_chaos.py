"""Chaos: real workers killed, frozen, cut off and lied to; no job lost, doubled or stuck.

Each scenario runs real ``gigq_worker`` processes on the test database, does its chaos,
waits for every job to end, stops the workers, and hands the jobs to ``checker.check``.
The short profile runs in ``make test``; ``GIGQ_CHAOS=full make test ARGS=tests/chaos``
runs the long one (a 10,000-job drain under kills, ...). Results are appended to
test-artifacts/chaos-results.jsonl.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import pytest
from django.db import connection

from django_gigq import Job, JobQueue
from django_gigq.models import Job as JobRow
from django_gigq.models import JobExecution
from django_gigq.states import JobStatus
from tests.chaos import jobs
from tests.chaos.checker import check
from tests.chaos.harness import FULL, Fleet, skewed_clock_env, wait_for
from tests.chaos.scenarios import drain, final_count, submit, terminate_other_connections
from tests.models import ChaosRun

pytestmark = pytest.mark.django_db(transaction=True)


def sqlite() -> bool:
    return connection.vendor == "sqlite"


def finish(report, fleet_exits, survivors, allow_late_overlaps=False):
    report.save()
    print(report.summary())
    report.assert_sound(allow_late_overlaps=allow_late_overlaps)
    for name in survivors:
        assert fleet_exits[name] == 0, f"worker {name} exited {fleet_exits[name]}"


def test_random_kills_during_a_drain():
    """SIGKILL a random supervisor or child every few seconds while jobs drain."""
    total = 10_000 if FULL else (120 if sqlite() else 300)
    every = 3.0 if FULL else 1.5
    max_kills = 10**6 if FULL else 6
    job_ids = submit(total, seconds=0.005, fail_rate=0.02)
    with Fleet() as fleet:
        for _ in range(3):
            fleet.start()

        def kill():
            fleet.kill_random_process()
            return fleet.kills < max_kills

        seconds = drain(fleet, job_ids, timeout=3600 if FULL else 150, chaos=kill, every=every)
        survivors = [worker.name for worker in fleet.live]
        exits = fleet.close()
    report = check("SIGKILL a random worker process", job_ids, kills=fleet.kills, seconds=seconds)
    finish(report, exits, survivors)
    assert fleet.kills > 0


def test_sigkill_of_the_child_running_a_job():
    """The child dies mid-job: the attempt is recorded as lost and the job runs again."""
    job_ids = submit(4, seconds=1.0)
    with Fleet(concurrency=2) as fleet:
        worker = fleet.start()
        run = wait_for(
            lambda: ChaosRun.objects.filter(
                job_id__in=job_ids, ended_at=None, pid__in=worker.children()
            ).first(),
            timeout=60,
            message="a job to start in a child",
        )
        os.kill(run.pid, signal.SIGKILL)
        seconds = drain(fleet, job_ids, timeout=90)
        exits = fleet.close()
    report = check("SIGKILL the child running a job", job_ids, kills=1, seconds=seconds)
    finish(report, exits, ["w0"])
    executions = JobExecution.objects.filter(job_id=run.job_id).order_by("attempt")
    assert [e.status for e in executions] == [JobStatus.FAILED, JobStatus.COMPLETED]
    assert "child process died" in executions[0].error


def test_worker_frozen_past_its_lease_cannot_record_its_late_completion():
    """SIGSTOP a worker mid-job until its lease expires and another worker reruns the job;
    after SIGCONT its run finishes, but its completion is refused."""
    [job_id] = submit(1, seconds=2.0)
    with Fleet(concurrency=1) as fleet:
        frozen = fleet.start()
        run = wait_for(
            lambda: ChaosRun.objects.filter(job_id=job_id, pid__in=frozen.children()).first(),
            timeout=60,
            message="the job to start",
        )
        frozen.signal(signal.SIGSTOP)
        rescuer = fleet.start()
        wait_for(
            lambda: JobRow.objects.filter(id=job_id, status=JobStatus.COMPLETED).exists(),
            timeout=60,
            message="the rescue and rerun",
        )
        frozen.signal(signal.SIGCONT)
        wait_for(
            lambda: "no longer runs; outcome discarded" in frozen.output(),
            timeout=60,
            message="the frozen worker to try to record its outcome",
        )
        exits = fleet.close()
    report = check("SIGSTOP a worker past its lease, then SIGCONT", [job_id], seconds=0)
    finish(report, exits, [frozen.name, rescuer.name], allow_late_overlaps=True)
    executions = list(JobExecution.objects.filter(job_id=job_id).order_by("attempt"))
    assert [(e.attempt, e.status) for e in executions] == [
        (1, JobStatus.FAILED),
        (2, JobStatus.COMPLETED),
    ]
    assert executions[0].error.startswith("worker lost")
    assert executions[1].worker_id != executions[0].worker_id
    late = ChaosRun.objects.get(pk=run.pk)
    assert late.ended_at is not None  # the frozen run did finish, and was not recorded


@pytest.mark.skipif("sqlite()", reason="SQLite has no server connections to cut")
def test_server_closes_every_worker_connection_during_a_drain():
    """pg_terminate_backend / KILL CONNECTION on all worker connections, several times."""
    total, rounds = (3000, 10) if FULL else (300, 3)
    job_ids = submit(total, seconds=0.005)
    terminated = 0
    with Fleet() as fleet:
        fleet.start()
        fleet.start()

        def cut():
            nonlocal terminated
            terminated += 1
            terminate_other_connections()
            return terminated < rounds

        seconds = drain(fleet, job_ids, timeout=1800 if FULL else 120, chaos=cut, every=1.0)
        survivors = [worker.name for worker in fleet.live]
        exits = fleet.close()
    report = check("kill all worker connections", job_ids, kills=terminated, seconds=seconds)
    finish(report, exits, survivors)


def can_restart_postgresql() -> bool:
    return (
        connection.vendor == "postgresql"
        and os.geteuid() == 0
        and shutil.which("pg_ctlcluster") is not None
        and os.path.isdir("/etc/postgresql")
    )


@pytest.mark.skipif("not can_restart_postgresql()", reason="needs root and pg_ctlcluster")
def test_postgresql_restart_mid_drain():
    total, restarts = (3000, 3) if FULL else (300, 1)
    job_ids = submit(total, seconds=0.005)
    version = os.listdir("/etc/postgresql")[0]
    done = 0
    with Fleet() as fleet:
        fleet.start()
        fleet.start()

        def restart():
            nonlocal done
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                check=True,
                timeout=120,
                capture_output=True,
            )
            connection.close()  # ours died with the server
            done += 1
            return done < restarts

        seconds = drain(fleet, job_ids, timeout=1800 if FULL else 180, chaos=restart, every=4)
        survivors = [worker.name for worker in fleet.live]
        exits = fleet.close()
    report = check("restart PostgreSQL mid-drain", job_ids, restarts=done, seconds=seconds)
    finish(report, exits, survivors)


def test_workers_with_skewed_clocks_rely_on_database_time():
    """One worker's clock is an hour fast, another's an hour slow: the fast one rescues
    no live job, the slow one still claims due jobs, scheduled jobs wait for database time."""
    total = 600 if FULL else 60
    job_ids = submit(total, seconds=0.05)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # make sure the server answers before we read its time
    from django.utils import timezone

    scheduled = submit(10, seconds=0.0, run_after=timezone.now() + timezone.timedelta(seconds=3))
    probes = {
        "fast": JobQueue().submit(Job("clock probe", jobs.wall_clock, queue="probe-fast")),
        "slow": JobQueue().submit(Job("clock probe", jobs.wall_clock, queue="probe-slow")),
    }
    with Fleet(concurrency=2) as fleet:
        fast = fleet.start("--worker-id", "clock-fast", "--queue", "default",
                           "--queue", "probe-fast", env=skewed_clock_env(3600))  # fmt: skip
        slow = fleet.start("--worker-id", "clock-slow", "--queue", "default",
                           "--queue", "probe-slow", env=skewed_clock_env(-3600))  # fmt: skip
        seconds = drain(fleet, job_ids + scheduled + list(probes.values()), timeout=300)
        exits = fleet.close()
    # The workers really did live an hour apart from the database.
    assert JobQueue().get_result(probes["fast"]) - time.time() == pytest.approx(3600, abs=120)
    assert JobQueue().get_result(probes["slow"]) - time.time() == pytest.approx(-3600, abs=120)
    report = check("clock skew of ±1 hour", job_ids + scheduled, seconds=seconds)
    finish(report, exits, [fast.name, slow.name])
    workers = set(JobExecution.objects.values_list("worker_id", flat=True).distinct())
    assert workers == {"clock-fast", "clock-slow"}, workers
    assert not JobExecution.objects.filter(error__startswith="worker lost").exists()
    for job in JobRow.objects.filter(id__in=scheduled):
        run = ChaosRun.objects.get(job_id=str(job.id))
        assert run.started_at >= job.run_after, "a scheduled job ran before database time"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a per-database PG setting")
def test_database_read_only_for_a_moment():
    """The test database turns read-only for a few seconds mid-drain, then writable again."""
    total = 1000 if FULL else 200
    job_ids = submit(total, seconds=0.01)
    name = connection.settings_dict["NAME"]
    quoted = connection.ops.quote_name(name)

    def read_only(on: bool) -> None:
        with connection.cursor() as cursor:
            if on:
                cursor.execute(f"ALTER DATABASE {quoted} SET default_transaction_read_only = on")
            else:
                cursor.execute(f"ALTER DATABASE {quoted} RESET default_transaction_read_only")
        terminate_other_connections()  # new connections take the setting

    try:
        with Fleet() as fleet:
            fleet.start()
            fleet.start()
            wait_for(lambda: final_count(job_ids) >= total // 5, 120, "the drain to start")
            read_only(True)
            frozen_at = final_count(job_ids)
            time.sleep(3)  # the read-only window
            assert final_count(job_ids) == frozen_at, "a job changed in a read-only database"
            read_only(False)
            seconds = drain(fleet, job_ids, timeout=900 if FULL else 120)
            survivors = [worker.name for worker in fleet.live]
            exits = fleet.close()
    finally:
        read_only(False)
    assert any("read-only transaction" in worker.output() for worker in fleet.workers)
    report = check("database read-only for 3 s", job_ids, seconds=seconds)
    finish(report, exits, survivors)
