"""Recording a batch of outcomes at once: what the supervisor writes per transaction."""

from dataclasses import replace

from django_gigq import Job, JobStatus
from django_gigq.claim import claim_jobs
from django_gigq.completion import record_outcomes
from django_gigq.execution import Outcome, run_job
from django_gigq.models import Job as JobRow
from django_gigq.models import JobExecution
from tests import jobs

WORKER = "batch-worker"


def _run_batch(limit):
    claimed = claim_jobs(WORKER, limit=limit, using="default")
    return [run_job(job, "default") for job in claimed]


def test_a_batch_records_each_job_its_own_result_and_duration(queue):
    ids = [queue.submit(Job(f"add {n}", jobs.add, params={"a": n, "b": n})) for n in range(5)]
    outcomes = _run_batch(5)

    recorded = record_outcomes(outcomes, WORKER, using="default")

    assert len(recorded) == 5
    for n, job_id in enumerate(ids):
        status = queue.get_status(job_id)
        assert status["status"] == JobStatus.COMPLETED
        assert status["result"] == 2 * n
        [execution] = status["executions"]
        assert execution["status"] == "completed"
        assert execution["result"] == 2 * n
    durations = {o.job.execution_id: o.duration for o in outcomes}
    stored = dict(JobExecution.objects.values_list("id", "duration"))
    assert stored == durations


def test_a_batch_of_results_that_are_all_none_stores_no_result(queue):
    ids = [queue.submit(Job(f"noop {n}", jobs.noop)) for n in range(3)]

    record_outcomes(_run_batch(3), WORKER, using="default")

    assert (
        list(
            JobRow.objects.filter(id__in=ids, result__isnull=True).values_list("status", flat=True)
        )
        == [JobStatus.COMPLETED] * 3
    )


def test_a_job_waiting_on_two_jobs_completed_in_one_batch_becomes_claimable(queue):
    first = Job("first", jobs.noop)
    second = Job("second", jobs.noop)
    after_both = Job("after both", jobs.noop, dependencies=[first, second])
    queue.submit_many([first, second, after_both])

    record_outcomes(_run_batch(2), WORKER, using="default")

    row = JobRow.objects.get(id=after_both.id)
    assert row.pending_dependencies == 0
    assert [job.id for job in claim_jobs(WORKER, using="default")] == [row.id]


def test_a_batch_records_what_it_owns_and_discards_the_rest(queue):
    kept, lost = (queue.submit(Job(name, jobs.noop)) for name in ("kept", "lost"))
    outcomes = _run_batch(2)
    # The rescue took one job away while the batch ran.
    JobRow.objects.filter(id=lost).update(status=JobStatus.PENDING, worker_id=None)

    recorded = record_outcomes(outcomes, WORKER, using="default")

    assert [str(outcome.job.id) for outcome in recorded] == [kept]
    assert queue.get_status(kept)["status"] == JobStatus.COMPLETED
    assert queue.get_status(lost)["status"] == JobStatus.PENDING


def test_a_batch_mixing_successes_retries_and_failures_records_each(queue):
    done = queue.submit(Job("done", jobs.add, params={"a": 1, "b": 2}))
    retried = queue.submit(Job("retried", jobs.fail, max_attempts=2))
    failed = queue.submit(Job("failed", jobs.fail, max_attempts=1))

    record_outcomes(_run_batch(3), WORKER, using="default")

    assert queue.get_status(done)["status"] == JobStatus.COMPLETED
    assert queue.get_status(retried)["status"] == JobStatus.PENDING
    assert queue.get_status(failed)["status"] == JobStatus.FAILED


def test_an_outcome_the_database_refuses_fails_its_job_and_spares_the_others(queue):
    from django.db import connection

    from django_gigq.completion import record_each

    good, poisoned = (queue.submit(Job(name, jobs.noop)) for name in ("good", "poisoned"))
    outcomes = _run_batch(2)
    # A result that slipped past validation: PostgreSQL cannot store NUL in jsonb.
    outcomes = [
        replace(o, result="nul \x00 byte") if str(o.job.id) == poisoned else o for o in outcomes
    ]

    recorded = record_each(outcomes, WORKER, using="default")

    assert len(recorded) == 2
    assert queue.get_status(good)["status"] == JobStatus.COMPLETED
    status = queue.get_status(poisoned)
    if connection.vendor == "postgresql":
        assert status["status"] == JobStatus.FAILED
        assert "refused to store its outcome" in status["error"]
    else:  # NUL is storable here
        assert status["status"] == JobStatus.COMPLETED


def test_a_job_whose_error_message_holds_a_nul_byte_is_recorded(queue):
    job_id = queue.submit(Job("nul", jobs.fail, params={"message": "bad"}, max_attempts=1))
    [claimed] = claim_jobs(WORKER, using="default")
    # What an exception's message may hold; PostgreSQL stores neither in text.
    outcome = Outcome(job=claimed, succeeded=False, error="nul \x00 and \ud800 here")

    record_outcomes([outcome], WORKER, using="default")

    status = queue.get_status(job_id)
    assert status["status"] == JobStatus.FAILED
    assert status["error"] == "nul \ufffd and \ufffd\ufffd\ufffd here"
