"""gigq_worker as users run it: real processes, real signals, timeouts, crashes, rescue."""

import signal
import time

import pytest
from django.db import connection  # noqa: F401 - read by the skipif conditions

from django_gigq import Job, JobStatus
from django_gigq.models import Job as JobRow
from django_gigq.models import JobExecution, WorkerProcess
from tests import jobs
from tests.models import Run
from tests.processes import FAST_LEASES, kill_group, start_worker, stop, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def status(job_id):
    return JobRow.objects.values_list("status", flat=True).get(id=job_id)


def executions_never_overlap(job_id):
    runs = list(JobExecution.objects.filter(job_id=job_id).order_by("started_at"))
    for earlier, later in zip(runs, runs[1:], strict=False):
        assert earlier.completed_at is not None and earlier.completed_at <= later.started_at


def test_job_past_its_timeout_is_stopped_and_the_worker_goes_on(queue):
    slow = queue.submit(Job("slow", jobs.sleep_then_record, params={"key": "slow", "seconds": 60},
                            timeout=2, max_attempts=2))  # fmt: skip
    worker = start_worker("--concurrency", "2", "--polling-interval", "0.2")
    try:
        wait_for(lambda: status(slow) == JobStatus.TIMEOUT, timeout=30, message="the timeout")
        quick = queue.submit(Job("quick", jobs.add, params={"a": 1, "b": 1}))
        wait_for(lambda: queue.get_result(quick) == 2, message="the next job")
    finally:
        exit_code, _out, err = stop(worker)
    assert exit_code == 0, err
    job = queue.get_status(slow)
    assert job["attempts"] == 2
    assert [e["status"] for e in job["executions"]] == ["timeout", "timeout"]
    assert job["error"] == "Job timed out after 2 seconds"
    executions_never_overlap(slow)
    assert not Run.objects.filter(key="slow").exists()  # killed, never reached its end


def test_killed_worker_group_leaves_no_job_running_a_new_worker_rescues_it(queue):
    job_id = queue.submit(Job("victim", jobs.sleep_then_record,
                              params={"key": "victim", "seconds": 2}))  # fmt: skip
    first = start_worker("--concurrency", "1", gigq_settings=FAST_LEASES)
    wait_for(lambda: status(job_id) == JobStatus.RUNNING, message="the job to start")
    kill_group(first, signal.SIGKILL)
    first.communicate()

    second = start_worker("--concurrency", "1", "--polling-interval", "0.2",
                          gigq_settings=FAST_LEASES)  # fmt: skip
    try:
        wait_for(lambda: status(job_id) == JobStatus.COMPLETED, timeout=60, message="rescue")
    finally:
        exit_code, _out, err = stop(second)
    assert exit_code == 0, err
    job = queue.get_status(job_id)
    assert [e["status"] for e in job["executions"]] == ["failed", "completed"]
    assert job["executions"][0]["error"].startswith("worker lost")
    assert Run.objects.filter(key="victim").count() == 1
    assert WorkerProcess.objects.get(pid=first.pid).state == "dead"
    assert not JobRow.objects.running().exists()


def test_sigterm_lets_the_running_job_finish_then_exits_zero(queue):
    job_id = queue.submit(Job("finish me", jobs.sleep_then_record,
                              params={"key": "finish", "seconds": 1.5}))  # fmt: skip
    waiting = queue.submit(Job("not started", jobs.noop, priority=-1))
    worker = start_worker("--concurrency", "1", "--shutdown-timeout", "30")
    wait_for(lambda: status(job_id) == JobStatus.RUNNING, message="the job to start")

    exit_code, _out, err = stop(worker)

    assert exit_code == 0, err
    assert status(job_id) == JobStatus.COMPLETED
    assert status(waiting) == JobStatus.PENDING
    assert WorkerProcess.objects.get(pid=worker.pid).state == "stopped"


def test_an_idle_worker_with_long_intervals_stops_at_once_on_sigterm(queue):
    # Nothing would wake this worker for a minute: the signal itself must end its wait.
    sleepy = {"HEARTBEAT_INTERVAL": 60, "LEASE_SECONDS": 120, "RESCUE_INTERVAL": 60,
              "SCHEDULER_INTERVAL": 60}  # fmt: skip
    job_id = queue.submit(Job("first", jobs.noop))
    worker = start_worker("--polling-interval", "60", gigq_settings=sleepy)
    # Once its job is recorded, the worker looks for the next, finds none, and waits.
    wait_for(lambda: status(job_id) == JobStatus.COMPLETED, message="the first job")

    signalled_at = time.monotonic()
    exit_code, _out, err = stop(worker, timeout=30)

    assert exit_code == 0, err
    assert time.monotonic() - signalled_at < 10


def test_job_still_running_after_the_grace_period_is_put_back_without_using_an_attempt(queue):
    job_id = queue.submit(Job("long", jobs.sleep_then_record,
                              params={"key": "long", "seconds": 60}))  # fmt: skip
    worker = start_worker("--concurrency", "1", "--shutdown-timeout", "0.5")
    wait_for(lambda: status(job_id) == JobStatus.RUNNING, message="the job to start")

    exit_code, _out, err = stop(worker)

    assert exit_code == 0, err
    job = queue.get_status(job_id)
    assert (job["status"], job["attempts"], job["executions"]) == ("pending", 0, [])


def test_second_signal_puts_running_jobs_back_at_once(queue):
    job_id = queue.submit(Job("long", jobs.sleep_then_record,
                              params={"key": "long", "seconds": 60}))  # fmt: skip
    worker = start_worker("--concurrency", "1", "--shutdown-timeout", "600")
    wait_for(lambda: status(job_id) == JobStatus.RUNNING, message="the job to start")
    worker.send_signal(signal.SIGINT)
    worker.send_signal(signal.SIGTERM)

    exit_code, _out, err = stop(worker, timeout=20)

    assert exit_code == 0, err
    assert status(job_id) == JobStatus.PENDING


def test_child_process_that_dies_is_replaced_and_its_job_retried(queue):
    dying = queue.submit(Job("dies", jobs.die, max_attempts=2))
    after = queue.submit(Job("after", jobs.add, params={"a": 2, "b": 3}, priority=-1))
    worker = start_worker("--burst", "--concurrency", "1", "--polling-interval", "0")

    _out, err = worker.communicate(timeout=120)

    assert worker.returncode == 0, err
    job = queue.get_status(dying)
    assert job["status"] == JobStatus.FAILED
    assert job["attempts"] == 2
    assert "child process died" in job["error"] and "exit code 13" in job["error"]
    assert queue.get_result(after) == 5


def test_max_jobs_stops_the_worker_after_that_many(queue):
    queue.submit_many([Job(f"n{i}", jobs.noop) for i in range(5)])
    worker = start_worker("--max-jobs", "3", "--concurrency", "1", "--polling-interval", "0")
    _out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    assert queue.stats()["completed"] == 3


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_idle_worker_is_woken_by_notify_not_by_polling(queue):
    worker = start_worker("--concurrency", "1", "--polling-interval", "600")
    try:
        wait_for(lambda: WorkerProcess.objects.filter(pid=worker.pid).exists(), message="start")
        job_id = queue.submit(Job("wake", jobs.add, params={"a": 1, "b": 2}))
        # A 600 s poll cannot explain completion within 20 s: the NOTIFY woke it.
        wait_for(lambda: queue.get_result(job_id) == 3, timeout=20, message="pick-up")
    finally:
        exit_code, _out, err = stop(worker)
    assert exit_code == 0, err


# Database connections cut, PostgreSQL restarted, workers killed at random, frozen or
# living in another time: see tests/chaos/.


def test_a_timed_out_job_whose_grandchild_holds_the_pipe_does_not_stall_the_worker(queue):
    # The grandchild keeps the killed child's pipe open for 20 s: reading what the child
    # left there must not wait for it.
    hanging = queue.submit(Job("forks", jobs.fork_then_hang, timeout=1, max_attempts=1))
    worker = start_worker("--concurrency", "1", "--polling-interval", "0.2")
    try:
        wait_for(lambda: status(hanging) == JobStatus.TIMEOUT, timeout=12, message="the timeout")
        quick = queue.submit(Job("quick", jobs.add, params={"a": 1, "b": 1}))
        wait_for(lambda: queue.get_result(quick) == 2, timeout=12, message="the next job")
    finally:
        stop(worker)
        kill_group(worker)  # the grandchild, in the worker's process group
