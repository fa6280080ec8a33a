"""JobQueue's GigQ methods: status, results, listing, stats, cancel, requeue, clear."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from django_gigq import Job, JobStatus
from django_gigq.models import Job as JobRow
from django_gigq.models import JobExecution
from tests import jobs

GIGQ_STATUS_KEYS = {
    "id", "name", "function_name", "function_module", "params", "priority", "dependencies",
    "max_attempts", "timeout", "description", "status", "created_at", "updated_at", "attempts",
    "result", "error", "started_at", "completed_at", "worker_id", "pass_parent_results",
    "retry_delay", "retry_after", "exists", "executions",
}  # fmt: skip


def test_get_status_has_every_gigq_key(queue):
    parent = Job("parent", jobs.noop)
    child = Job("child", jobs.add, params={"a": 1, "b": 2}, dependencies=[parent.id])
    queue.submit_many([parent, child])

    status = queue.get_status(child.id)

    assert GIGQ_STATUS_KEYS <= set(status)
    assert status["exists"] is True
    assert status["id"] == child.id
    assert status["function_module"] == "tests.jobs" and status["function_name"] == "add"
    assert status["dependencies"] == [parent.id]
    assert status["executions"] == []
    assert isinstance(status["created_at"], str)


def test_get_status_of_an_unknown_job(queue):
    assert queue.get_status(str(uuid.uuid4())) == {"exists": False}


def test_malformed_ids_are_clear_errors(queue):
    with pytest.raises(ValueError, match="must be a UUID"):
        queue.get_status("1; DROP TABLE jobs")
    with pytest.raises(ValueError, match="must be a UUID"):
        queue.cancel("nope")


def test_get_result_is_none_until_completed_and_keyerror_if_unknown(queue, worker):
    job_id = queue.submit(Job("add", jobs.add, params={"a": 1, "b": 1}))
    assert queue.get_result(job_id) is None
    worker.process_one()
    assert queue.get_result(job_id) == 2
    with pytest.raises(KeyError):
        queue.get_result(str(uuid.uuid4()))


def test_list_jobs_newest_first_with_status_filter_and_limit(queue, worker):
    ids = [queue.submit(Job(f"n{i}", jobs.noop)) for i in range(3)]
    worker.process_one()  # completes the first

    listed = queue.list_jobs()
    assert [job["id"] for job in listed] == ids[::-1]
    assert "exists" not in listed[0] and "executions" not in listed[0]
    assert [job["id"] for job in queue.list_jobs(status=JobStatus.COMPLETED)] == [ids[0]]
    assert [job["id"] for job in queue.list_jobs(status="pending", limit=1)] == [ids[2]]
    with pytest.raises(ValueError, match="unknown job status 'bogus'"):
        queue.list_jobs(status="bogus")


def test_stats_counts_all_six_statuses_and_total(queue, worker):
    queue.submit(Job("ok", jobs.noop))
    worker.process_one()
    queue.submit(Job("waiting", jobs.noop))
    cancelled = queue.submit(Job("cancel me", jobs.noop))
    queue.cancel(cancelled)

    assert queue.stats() == {
        "pending": 1, "running": 0, "completed": 1, "failed": 0,
        "cancelled": 1, "timeout": 0, "total": 3,
    }  # fmt: skip


def test_cancel_only_pending_jobs(queue, worker):
    done = queue.submit(Job("done", jobs.noop))
    worker.process_one()
    waiting = queue.submit(Job("waiting", jobs.noop))

    assert queue.cancel(waiting) is True
    assert queue.cancel(waiting) is False
    assert queue.cancel(done) is False
    assert queue.cancel(str(uuid.uuid4())) is False
    status = queue.get_status(waiting)
    assert status["status"] == JobStatus.CANCELLED
    assert status["completed_at"] is not None


def test_requeue_resets_attempts_error_and_retry_delay(queue, worker):
    job_id = queue.submit(Job("fail", jobs.fail, max_attempts=1, retry_delay=3600))
    worker.process_one()
    assert queue.get_status(job_id)["status"] == JobStatus.FAILED

    assert queue.requeue_job(job_id) is True

    status = queue.get_status(job_id)
    assert (status["status"], status["attempts"], status["error"]) == ("pending", 0, "")
    assert worker.process_one() is True  # claimable at once, not after retry_delay
    assert [e["attempt"] for e in queue.get_status(job_id)["executions"]] == [1, 1]


def test_requeue_refuses_pending_running_and_completed_jobs(queue, worker):
    done = queue.submit(Job("done", jobs.noop))
    worker.process_one()
    waiting = queue.submit(Job("waiting", jobs.noop))
    assert queue.requeue_job(done) is False
    assert queue.requeue_job(waiting) is False
    assert queue.requeue_job(str(uuid.uuid4())) is False


def test_requeue_of_a_cancelled_job_makes_it_runnable(queue, worker):
    job_id = queue.submit(Job("c", jobs.add, params={"a": 2, "b": 2}))
    queue.cancel(job_id)
    assert queue.requeue_job(job_id) is True
    worker.process_one()
    assert queue.get_result(job_id) == 4


def test_clear_completed_removes_completed_and_cancelled_with_their_rows(queue, worker):
    parent = Job("parent", jobs.noop)
    child = Job("child", jobs.noop, dependencies=[parent.id])
    failed = Job("failed", jobs.fail, max_attempts=1)
    cancelled = Job("cancelled", jobs.noop)
    queue.submit_many([parent, child, failed, cancelled])
    queue.cancel(cancelled.id)
    worker.run(burst=True)

    assert queue.clear_completed() == 3  # parent, child, cancelled

    assert list(JobRow.objects.values_list("name", flat=True)) == ["failed"]
    assert JobExecution.objects.filter(job__name__in=["parent", "child"]).count() == 0
    assert JobExecution.objects.count() == 1


def test_clear_completed_before_a_timestamp_includes_cancelled_jobs(queue):
    job_id = queue.submit(Job("cancelled", jobs.noop))
    queue.cancel(job_id)
    assert queue.clear_completed(before_timestamp=timezone.now() - timedelta(hours=1)) == 0
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    assert queue.clear_completed(before_timestamp=future) == 1
    with pytest.raises(ValueError, match="ISO 8601"):
        queue.clear_completed(before_timestamp="yesterday")
