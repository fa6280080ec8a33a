"""Short jobs go to a child several at a time, in a bundle; every promise still holds per job.

Each test runs one child (``--concurrency 1``) through short jobs, so the supervisor
learns they are short and hands the rest out in bundles; the worker's debug log names
each bundle's jobs, and each test first checks that the job under test shared a bundle
with the jobs after it. Then: a job of a bundle that runs past its timeout, kills its
process, or is cancelled before it starts ends as it would alone, and the jobs after it
run exactly once.
"""

import re

import pytest

from django_gigq import Job, JobStatus
from django_gigq.models import JobExecution
from tests import jobs
from tests.models import Run
from tests.processes import start_worker, stop, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

SHORT_JOBS_BEFORE = 20
SHORT_JOBS_AFTER = 5


def submit_between_short_jobs(queue, job):
    """Submit short jobs, ``job``, then more short jobs, to be claimed in that order."""
    before = [Job(f"before {n}", jobs.noop, priority=10) for n in range(SHORT_JOBS_BEFORE)]
    after = [Job(f"after {n}", jobs.noop, priority=0) for n in range(SHORT_JOBS_AFTER)]
    queue.submit_many([*before, job, *after])
    return job.id, [str(job.id) for job in after]


def shared_a_bundle(log, job_id, later_ids):
    """Whether the worker's log shows ``job_id`` handed out in one bundle with ``later_ids``."""
    bundles = re.findall(r"runs \d+ job\(s\) next: (.*)", log)
    return any(job_id in bundle and all(i in bundle for i in later_ids) for bundle in bundles)


def each_short_job_ran_once():
    """Whether every short job completed, with one run."""
    runs = JobExecution.objects.filter(job__name__regex=r"^(before|after) ")
    completed = runs.filter(status="completed", job__status=JobStatus.COMPLETED)
    expected = SHORT_JOBS_BEFORE + SHORT_JOBS_AFTER
    return runs.count() == expected and completed.values("job").distinct().count() == expected


def run_burst_worker():
    worker = start_worker("--burst", "--concurrency", "1", "--polling-interval", "0", "-v", "3")
    _out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    return err


def test_a_job_past_its_timeout_in_a_bundle_is_stopped_and_the_rest_run_once(queue):
    slow = Job(
        "slow", jobs.sleep_then_record, params={"key": "slow", "seconds": 60}, timeout=1,
        max_attempts=1, priority=5,
    )  # fmt: skip
    slow_id, after_ids = submit_between_short_jobs(queue, slow)

    log = run_burst_worker()

    assert shared_a_bundle(log, slow_id, after_ids), log
    assert queue.get_status(slow_id)["status"] == JobStatus.TIMEOUT
    assert not Run.objects.filter(key="slow").exists()
    assert each_short_job_ran_once()
    assert queue.stats()["completed"] == SHORT_JOBS_BEFORE + SHORT_JOBS_AFTER


def test_a_job_that_kills_its_process_in_a_bundle_is_lost_and_the_rest_run_once(queue):
    dying = Job("dies", jobs.die, max_attempts=1, priority=5)
    dying_id, after_ids = submit_between_short_jobs(queue, dying)

    log = run_burst_worker()

    assert shared_a_bundle(log, dying_id, after_ids), log
    status = queue.get_status(dying_id)
    assert status["status"] == JobStatus.FAILED
    assert "child process died" in status["error"]
    assert each_short_job_ran_once()
    # The jobs after it went to the new child: none was recorded as lost with it.
    assert JobExecution.objects.filter(exception_type="WorkerLost").count() == 1


def test_a_job_cancelled_while_waiting_in_a_bundle_ends_cancelled(queue):
    target = Job("target", jobs.stop_once_asked, params={"key": "target"}, priority=4)
    blocker = Job(
        "blocker", jobs.wait_until_cancel_requested, params={"job_id": str(target.id)},
        priority=5,
    )  # fmt: skip
    queue.submit(target)
    blocker_id, _after_ids = submit_between_short_jobs(queue, blocker)
    worker = start_worker("--concurrency", "1", "--polling-interval", "0", "-v", "3")
    try:
        # The blocker runs until the target is cancelled; the target waits behind it.
        wait_for(
            lambda: (
                queue.get_status(blocker_id)["status"] == JobStatus.RUNNING
                and queue.get_status(target.id)["status"] == JobStatus.RUNNING
            ),
            message="the blocker to run with the target claimed behind it",
        )
        queue.cancel(target.id)
        wait_for(
            lambda: queue.get_status(target.id)["status"] == JobStatus.CANCELLED,
            message="the target to end cancelled",
        )
        wait_for(each_short_job_ran_once, message="the short jobs after them")
    finally:
        _code, _out, log = stop(worker)

    assert shared_a_bundle(log, blocker_id, [str(target.id)]), log
    assert queue.get_result(blocker_id) == "released"
    [execution] = queue.get_status(target.id)["executions"]
    assert execution["status"] == "cancelled"
