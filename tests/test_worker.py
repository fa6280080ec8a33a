"""Running jobs in-process with Worker: outcomes, retries, executions."""

import pytest

from django_gigq import Job, JobStatus
from django_gigq.models import Job as JobRow
from tests import jobs
from tests.models import Run


def test_process_one_runs_a_job_and_stores_its_result(queue, worker):
    job_id = queue.submit(Job("add", jobs.add, params={"a": 2, "b": 3}))

    assert worker.process_one() is True

    status = queue.get_status(job_id)
    assert status["status"] == JobStatus.COMPLETED
    assert status["result"] == 5
    assert status["attempts"] == 1
    assert queue.get_result(job_id) == 5
    [execution] = status["executions"]
    assert execution["status"] == "completed"
    assert execution["attempt"] == 1
    assert execution["result"] == 5
    assert execution["worker_id"] == worker.worker_id
    assert execution["duration"] >= 0


def test_process_one_returns_false_when_nothing_is_claimable(worker):
    assert worker.process_one() is False


def test_failed_job_is_retried_until_max_attempts_then_fails(queue, worker):
    job_id = queue.submit(Job("fail", jobs.fail, params={"message": "nope"}, max_attempts=3))

    for _ in range(3):
        assert worker.process_one() is True
    assert worker.process_one() is False

    status = queue.get_status(job_id)
    assert status["status"] == JobStatus.FAILED
    assert status["attempts"] == 3
    assert status["error"] == "nope"
    assert [e["status"] for e in status["executions"]] == ["failed"] * 3
    assert [e["attempt"] for e in status["executions"]] == [1, 2, 3]
    last = status["executions"][-1]
    assert last["exception_type"] == "builtins.ValueError"
    assert "Traceback (most recent call last)" in last["traceback"]
    assert "raise ValueError(message)" in last["traceback"]
    assert status["completed_at"] is not None


def test_job_that_succeeds_on_a_retry_completes(queue, drain):
    job_id = queue.submit(
        Job("flaky", jobs.fail_until, params={"key": "flaky", "succeed_on_call": 2})
    )

    drain()

    status = queue.get_status(job_id)
    assert status["status"] == JobStatus.COMPLETED
    assert status["result"] == 2
    assert status["error"] == ""
    assert [e["status"] for e in status["executions"]] == ["failed", "completed"]


def test_retry_delay_defers_the_next_attempt(queue, worker):
    job_id = queue.submit(Job("fail", jobs.fail, retry_delay=3600))

    assert worker.process_one() is True
    assert worker.process_one() is False  # the retry waits an hour

    status = queue.get_status(job_id)
    assert status["status"] == JobStatus.PENDING
    assert status["retry_after"] is not None
    assert status["run_after"] > status["started_at"]


def test_max_attempts_one_fails_at_first_error(queue, worker):
    job_id = queue.submit(Job("fail", jobs.fail, max_attempts=1))
    worker.process_one()
    assert queue.get_status(job_id)["status"] == JobStatus.FAILED


@pytest.mark.parametrize(
    ("function", "params", "reason"),
    [
        (jobs.returns_set, {}, "not JSON"),
        (jobs.add, {"a": 1}, "params do not match the signature"),
        (jobs.add, {"a": 1, "b": 2, "c": 3}, "params do not match the signature"),
        ("tests.jobs.does_not_exist", {}, "has no attribute 'does_not_exist'"),
        ("tests.no_such_module.f", {}, "cannot import module"),
    ],
)
def test_unrunnable_job_fails_at_once_without_retrying(queue, worker, function, params, reason):
    job_id = queue.submit(Job("bad", function, params=params, max_attempts=5))

    worker.process_one()

    status = queue.get_status(job_id)
    assert status["status"] == JobStatus.FAILED
    assert status["attempts"] == 1
    assert reason in status["error"]


def test_a_job_calling_sys_exit_fails_instead_of_stopping_the_worker(queue, worker):
    job_id = queue.submit(Job("exit", jobs.exits, max_attempts=1))
    assert worker.process_one() is True
    status = queue.get_status(job_id)
    assert status["status"] == JobStatus.FAILED
    assert status["executions"][0]["exception_type"] == "builtins.SystemExit"


def test_async_function_is_awaited(queue, worker):
    job_id = queue.submit(Job("async", jobs.async_add, params={"a": 1, "b": 2}))
    worker.process_one()
    assert queue.get_result(job_id) == 3


def test_higher_priority_runs_first_then_first_submitted(queue, worker):
    queue.submit(Job("low", jobs.record, params={"key": "low"}, priority=0))
    queue.submit(Job("high", jobs.record, params={"key": "high"}, priority=10))
    queue.submit(Job("low later", jobs.record, params={"key": "low later"}, priority=0))

    worker.run(burst=True)

    assert list(Run.objects.order_by("id").values_list("key", flat=True)) == [
        "high",
        "low",
        "low later",
    ]


def test_worker_only_takes_jobs_from_its_queues(queue):
    from django_gigq import Worker

    mail = queue.submit(Job("mail", jobs.noop, queue="mail"))
    other = queue.submit(Job("other", jobs.noop))

    Worker(queues=["mail"], polling_interval=0).run(burst=True)

    assert queue.get_status(mail)["status"] == JobStatus.COMPLETED
    assert queue.get_status(other)["status"] == JobStatus.PENDING


def test_run_with_max_jobs_stops_after_that_many(queue, worker):
    queue.submit_many([Job(f"n{i}", jobs.noop) for i in range(3)])
    assert worker.run(max_jobs=2) == 2
    assert queue.stats()["pending"] == 1


def test_late_outcome_of_a_run_that_lost_its_job_is_discarded(queue, worker):
    from django_gigq.claim import claim_jobs
    from django_gigq.completion import record_outcomes
    from django_gigq.execution import run_job

    job_id = queue.submit(Job("add", jobs.add, params={"a": 1, "b": 1}, max_attempts=1))
    [claimed] = claim_jobs("worker-a", using="default")
    # Someone else took the job away (an operator, a timeout) while it ran.
    JobRow.objects.filter(id=job_id).update(status=JobStatus.TIMEOUT, worker_id=None)

    recorded = record_outcomes([run_job(claimed, "default")], "worker-a", using="default")

    assert recorded == []
    status = queue.get_status(job_id)
    assert status["status"] == JobStatus.TIMEOUT
    assert status["result"] is None
