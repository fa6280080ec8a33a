"""Cancelling a running job: its worker stops it, wherever it runs, and records it cancelled."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from django_gigq import Job, JobStatus
from django_gigq.claim import claim_jobs
from django_gigq.maintenance import rescue
from django_gigq.models import Job as JobRow
from django_gigq.models import JobExecution
from django_gigq.transitions import release_jobs
from tests import jobs
from tests.models import Run
from tests.processes import start_worker, stop, wait_for

#: A heartbeat a second apart: where there is no NOTIFY, the worker hears of a
#: cancellation with its next heartbeat.
QUICK = {"HEARTBEAT_INTERVAL": 1.0, "CANCEL_GRACE_SECONDS": 1.0}


def status(job_id):
    return JobRow.objects.values_list("status", flat=True).get(id=job_id)


@pytest.mark.django_db(transaction=True)
def test_a_running_job_that_ignores_the_request_is_stopped_by_force(queue):
    job_id = queue.submit(Job("sixty seconds", jobs.sleep_then_record,
                              params={"key": "slow", "seconds": 60}, timeout=120))  # fmt: skip
    waiting = Job("waits for it", jobs.noop, dependencies=[job_id])
    queue.submit(waiting)
    worker = start_worker("--concurrency", "1", "--polling-interval", "0.1", gigq_settings=QUICK)
    try:
        wait_for(lambda: status(job_id) == JobStatus.RUNNING, message="the job to start")
        asked_at = time.monotonic()
        assert queue.cancel(job_id)
        wait_for(lambda: status(job_id) == JobStatus.CANCELLED, timeout=15, message="the stop")
        stopped_after = time.monotonic() - asked_at
    finally:
        exit_code, _out, err = stop(worker)
    assert exit_code == 0, err
    assert stopped_after < 8  # a heartbeat, the grace, and a recording
    [execution] = JobExecution.objects.filter(job_id=job_id)
    assert execution.status == "cancelled"
    assert execution.error == "cancelled while running: stopped by force after 1 s"
    assert not Run.objects.filter(key="slow").exists()  # killed before its end
    assert status(waiting.id) == JobStatus.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_a_running_job_that_reports_progress_stops_at_its_next_report(queue):
    patient = {**QUICK, "CANCEL_GRACE_SECONDS": 60.0}  # stopping by force would take a minute
    job_id = queue.submit(Job("cooperative", jobs.work_until_cancelled, params={"key": "co"}))
    worker = start_worker("--concurrency", "2", "--polling-interval", "0.1",
                          gigq_settings=patient)  # fmt: skip
    try:
        wait_for(lambda: Run.objects.filter(key="co").exists(), message="the job to start")
        assert queue.cancel(job_id)
        wait_for(lambda: status(job_id) == JobStatus.CANCELLED, timeout=15, message="the stop")
        # The worker goes on with other jobs in the same child.
        after = queue.submit(Job("after", jobs.add, params={"a": 2, "b": 2}))
        wait_for(lambda: queue.get_result(after) == 4, message="the next job")
    finally:
        exit_code, _out, err = stop(worker)
    assert exit_code == 0, err
    job = queue.get_status(job_id)
    assert (job["error"], job["attempts"]) == ("cancelled while running", 1)
    assert [e["status"] for e in job["executions"]] == ["cancelled"]


@pytest.mark.django_db
def test_cancel_asks_once_and_a_finished_job_cannot_be_cancelled(queue):
    job_id = queue.submit(Job("running", jobs.noop))
    claim_jobs("worker-a", using="default")
    assert queue.cancel(job_id)
    assert not queue.cancel(job_id)  # already asked
    assert status(job_id) == JobStatus.RUNNING  # until its worker stops it


@pytest.mark.django_db
def test_a_cancelled_job_whose_worker_died_is_recorded_cancelled_not_retried(queue):
    job_id = queue.submit(Job("orphan", jobs.noop, max_attempts=3))
    claim_jobs("worker-a", using="default")
    queue.cancel(job_id)
    JobRow.objects.filter(id=job_id).update(lease_expires_at=timezone.now() - timedelta(1))

    assert rescue.run_once("default") == 1

    job = queue.get_status(job_id)
    assert (job["status"], job["attempts"]) == ("cancelled", 1)
    assert job["error"] == "cancelled while running: its worker stopped before the job did"


@pytest.mark.django_db
def test_a_stopping_worker_does_not_put_a_cancelled_job_back(queue):
    job_id = queue.submit(Job("shutdown", jobs.noop))
    [run] = claim_jobs("worker-a", using="default")
    queue.cancel(job_id)

    assert release_jobs([run], "worker-a", using="default") == 0
    assert status(job_id) == JobStatus.RUNNING  # the rescue records it cancelled


@pytest.mark.django_db
def test_a_retry_starts_without_the_previous_runs_cancel_request(queue):
    job_id = queue.submit(Job("again", jobs.noop))
    claim_jobs("worker-a", using="default")
    queue.cancel(job_id)
    JobRow.objects.filter(id=job_id).update(status=JobStatus.PENDING)  # as if put back
    claim_jobs("worker-a", using="default")
    assert JobRow.objects.get(id=job_id).cancel_requested_at is None
