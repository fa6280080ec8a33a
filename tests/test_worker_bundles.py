"""Short jobs go to a child several at a time, in a bundle; every promise still holds per job.

Each test warms a one-child worker up with no-op jobs, so that it knows jobs are short,
then submits the job under test and a few no-op jobs after it in one transaction: the
idle worker claims them together and hands them to its child as one bundle (the worker's
debug log names each bundle's jobs, and each test checks it did). Then: a job of a
bundle that runs past its timeout, kills its process, or is cancelled before it starts
ends as it would alone, and the jobs after it run exactly once.
"""

import re

import pytest

from django_gigq import Job, JobStatus
from django_gigq.models import JobExecution
from tests import jobs
from tests.models import Run
from tests.processes import start_worker, stop, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

WARM_UP_JOBS = 30
JOBS_AFTER = 3


@pytest.fixture
def warm_worker(queue):
    """A worker with one child that has just run ``WARM_UP_JOBS`` no-op jobs."""
    worker = start_worker("--concurrency", "1", "--polling-interval", "0", "-v", "3")
    queue.submit_many([Job(f"warm-up {n}", jobs.noop) for n in range(WARM_UP_JOBS)])
    try:
        wait_for(lambda: queue.stats()["completed"] == WARM_UP_JOBS, message="the warm-up")
        yield worker
    finally:
        if worker.poll() is None:  # the test has not stopped it
            stop(worker)


def submit_with_jobs_after(queue, job):
    """Submit ``job`` and ``JOBS_AFTER`` no-op jobs to run after it, in one transaction."""
    after = [Job(f"after {n}", jobs.noop, priority=-1 - n) for n in range(JOBS_AFTER)]
    queue.submit_many([job, *after])
    return [str(job.id) for job in after]


def log_of(worker):
    _code, _out, log = stop(worker)
    return log


def shared_a_bundle(log, job_id, later_ids):
    """Whether the worker's log shows ``job_id`` handed out in one bundle with ``later_ids``."""
    bundles = re.findall(r"runs \d+ job\(s\) next: (.*)", log)
    return any(job_id in bundle and all(i in bundle for i in later_ids) for bundle in bundles)


def jobs_after_ran_once():
    """Whether every job after the one under test completed, with one run."""
    runs = JobExecution.objects.filter(job__name__startswith="after ")
    completed = runs.filter(status="completed", job__status=JobStatus.COMPLETED)
    return runs.count() == JOBS_AFTER and completed.count() == JOBS_AFTER


def test_a_job_past_its_timeout_in_a_bundle_is_stopped_and_the_rest_run_once(queue, warm_worker):
    slow = Job(
        "slow", jobs.sleep_then_record, params={"key": "slow", "seconds": 60}, timeout=1,
        max_attempts=1,
    )  # fmt: skip
    after_ids = submit_with_jobs_after(queue, slow)

    wait_for(jobs_after_ran_once, message="the jobs after the slow one")
    log = log_of(warm_worker)

    assert shared_a_bundle(log, str(slow.id), after_ids), log
    assert queue.get_status(slow.id)["status"] == JobStatus.TIMEOUT
    assert not Run.objects.filter(key="slow").exists()


def test_a_job_that_kills_its_process_in_a_bundle_is_lost_and_the_rest_run_once(queue, warm_worker):
    dying = Job("dies", jobs.die, max_attempts=1)
    after_ids = submit_with_jobs_after(queue, dying)

    wait_for(jobs_after_ran_once, message="the jobs after the dying one")
    log = log_of(warm_worker)

    assert shared_a_bundle(log, str(dying.id), after_ids), log
    status = queue.get_status(dying.id)
    assert status["status"] == JobStatus.FAILED
    assert "child process died" in status["error"]
    # The jobs after it went to the new child: none was recorded as lost with it.
    assert JobExecution.objects.filter(exception_type="WorkerLost").count() == 1


def test_a_job_cancelled_while_waiting_in_a_bundle_ends_cancelled(queue, warm_worker):
    target = Job("target", jobs.stop_once_asked, params={"key": "target"}, priority=-1)
    blocker = Job("blocker", jobs.wait_until_cancel_requested, params={"job_id": str(target.id)})
    queue.submit_many([blocker, target])
    # The blocker runs until the target is cancelled; the target waits behind it.
    wait_for(
        lambda: (
            queue.get_status(blocker.id)["status"] == JobStatus.RUNNING
            and queue.get_status(target.id)["status"] == JobStatus.RUNNING
        ),
        message="the blocker to run with the target claimed behind it",
    )

    queue.cancel(target.id)

    wait_for(
        lambda: queue.get_status(target.id)["status"] == JobStatus.CANCELLED,
        message="the target to end cancelled",
    )
    log = log_of(warm_worker)
    assert shared_a_bundle(log, str(blocker.id), [str(target.id)]), log
    assert queue.get_result(blocker.id) == "released"
    [execution] = queue.get_status(target.id)["executions"]
    assert execution["status"] == "cancelled"
