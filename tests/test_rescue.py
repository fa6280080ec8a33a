"""The rescue of jobs whose worker died, heartbeats, and retry backoff policies."""

from datetime import timedelta

import pytest
from django.utils import timezone

from django_gigq import Job, JobStatus
from django_gigq.claim import claim_jobs
from django_gigq.maintenance import rescue
from django_gigq.models import Job as JobRow
from django_gigq.models import WorkerProcess
from django_gigq.retries import retry_delay_seconds
from django_gigq.worker.heartbeat import beat, register_worker
from tests import jobs


def expire_leases():
    JobRow.objects.running().update(lease_expires_at=timezone.now() - timedelta(seconds=1))


def test_job_with_an_expired_lease_is_retried_as_worker_lost(queue, worker):
    job_id = queue.submit(Job("orphan", jobs.add, params={"a": 1, "b": 1}))
    claim_jobs("dead-worker", using="default")
    expire_leases()

    assert rescue.run_once("default") == 1

    job = queue.get_status(job_id)
    assert (job["status"], job["attempts"], job["worker_id"]) == ("pending", 1, None)
    [execution] = job["executions"]
    assert execution["status"] == "failed" and execution["error"].startswith("worker lost")
    worker.process_one()
    assert queue.get_result(job_id) == 2


def test_rescued_job_without_attempts_left_fails_and_cancels_dependents(queue):
    parent = Job("parent", jobs.noop, max_attempts=1)
    child = Job("child", jobs.noop, dependencies=[parent.id])
    queue.submit_many([parent, child])
    claim_jobs("dead-worker", using="default")
    expire_leases()

    rescue.run_once("default")

    assert queue.get_status(parent.id)["status"] == JobStatus.FAILED
    assert queue.get_status(child.id)["status"] == JobStatus.CANCELLED


def test_live_lease_is_left_alone(queue):
    queue.submit(Job("busy", jobs.noop))
    claim_jobs("live-worker", using="default")
    assert rescue.run_once("default") == 0
    assert JobRow.objects.running().count() == 1


def test_late_outcome_after_a_rescue_is_refused(queue):
    from django_gigq.completion import record_outcomes
    from django_gigq.execution import run_job

    job_id = queue.submit(Job("slowpoke", jobs.add, params={"a": 1, "b": 2}))
    [claimed] = claim_jobs("paused-worker", using="default")
    expire_leases()
    rescue.run_once("default")

    assert record_outcomes([run_job(claimed, "default")], "paused-worker", using="default") == []
    assert queue.get_status(job_id)["status"] == JobStatus.PENDING


def test_heartbeat_renews_leases_and_silent_workers_are_marked_dead(queue, settings):
    queue.submit(Job("held", jobs.noop))
    register_worker("alive", ["default"], 2, using="default")
    register_worker("silent", [], 1, using="default")
    [claimed] = claim_jobs("alive", using="default")
    expire_leases()
    WorkerProcess.objects.filter(id="silent").update(
        last_heartbeat=timezone.now() - timedelta(hours=1)
    )

    beat("alive", [claimed.id], using="default")
    rescue.run_once("default")

    assert JobRow.objects.running().count() == 1  # renewed, not rescued
    assert WorkerProcess.objects.get(id="alive").state == "running"
    assert WorkerProcess.objects.get(id="silent").state == "dead"


def test_fixed_backoff_waits_the_same_each_time():
    assert [retry_delay_seconds("fixed", 5, None, n) for n in (1, 2, 3)] == [5, 5, 5]
    assert retry_delay_seconds("fixed", 5, 3, 1) == 3


def test_exponential_backoff_doubles_with_jitter_up_to_the_cap():
    delays = [retry_delay_seconds("exponential", 2, 100, n) for n in range(1, 9)]
    for attempt, delay in enumerate(delays[:5], start=1):
        assert 2 * 2 ** (attempt - 1) * 0.9 <= delay <= 2 * 2 ** (attempt - 1) * 1.1
    assert all(delay <= 100 for delay in delays)
    assert delays[-1] == pytest.approx(100, rel=0.11)


def test_random_backoff_stays_within_the_exponential_bound():
    for attempt in range(1, 10):
        assert 0 <= retry_delay_seconds("random", 1, 60, attempt) <= min(60, 2 ** (attempt - 1))


def test_job_with_exponential_backoff_is_deferred_after_a_failure(queue, worker):
    job_id = queue.submit(
        Job("flaky", jobs.fail, retry_delay=600, retry_backoff="exponential", retry_max_delay=900)
    )
    worker.process_one()
    row = JobRow.objects.get(id=job_id)
    assert row.status == JobStatus.PENDING
    assert timedelta(seconds=500) < row.run_after - row.updated_at < timedelta(seconds=700)


def test_unknown_backoff_is_rejected():
    with pytest.raises(ValueError, match="retry_backoff must be one of fixed, exponential"):
        Job("x", jobs.noop, retry_backoff="linear")


def test_worker_id_of_a_live_worker_cannot_be_reused(db):
    register_worker("busy-id", [], 1, using="default")
    with pytest.raises(ValueError, match="in use by a live worker"):
        register_worker("busy-id", [], 1, using="default")


def test_worker_id_of_a_stopped_worker_can_be_reused(db):
    from django_gigq.states import WorkerState
    from django_gigq.worker.heartbeat import set_worker_state

    register_worker("reused", ["a"], 1, using="default")
    set_worker_state("reused", WorkerState.STOPPED, using="default")
    register_worker("reused", ["b"], 2, using="default")
    worker = WorkerProcess.objects.get(id="reused")
    assert (worker.state, worker.queues, worker.concurrency) == ("running", ["b"], 2)
    assert worker.stopped_at is None
