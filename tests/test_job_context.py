"""The job context: progress, snooze, cancel and dependency results, from inside a job."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_gigq import Job, JobContext, JobStatus, current_context, signals
from django_gigq.claim import claim_jobs
from django_gigq.context import MAX_SNOOZE_SECONDS, JobSnoozed
from django_gigq.execution import run_job
from django_gigq.models import Job as JobRow
from django_gigq.models import JobExecution
from tests import jobs
from tests.job_types import ContextAware
from tests.models import Run
from tests.processes import start_worker, stop, wait_for

pytestmark = pytest.mark.django_db


def executions(queue, job_id):
    return [(e["attempt"], e["status"]) for e in queue.get_status(job_id)["executions"]]


def test_a_function_naming_context_learns_about_its_run(queue, worker):
    job_id = queue.submit(Job("who am i", jobs.context_details, queue="reports", max_attempts=2))
    worker.process_one()
    assert queue.get_result(job_id) == {
        "job_id": job_id,
        "attempt": 1,
        "max_attempts": 2,
        "queue": "reports",
        "same_as_current": True,
    }
    assert current_context() is None  # only while the job runs


def test_params_named_context_are_passed_as_they_are(queue, worker):
    # A job submitted with a "context" param of its own keeps it (as in GigQ).
    job_id = queue.submit(Job("own", jobs.params_named_context, params={"context": "mine"}))
    worker.process_one()
    assert queue.get_result(job_id) == "mine"


def test_code_called_by_a_job_reaches_the_context(queue, worker):
    job_id = queue.submit(Job("helper", jobs.progress_from_a_helper))
    worker.process_one()
    status = queue.get_status(job_id)
    assert status["result"] == job_id
    assert (status["progress"], status["progress_message"]) == (0.25, "from a helper")


def test_the_last_progress_reported_is_the_one_stored(queue, worker):
    job_id = queue.submit(Job("steps", jobs.report_progress_often, params={"steps": 500}))
    with CaptureQueriesContext(connection) as queries:
        worker.process_one()
    status = queue.get_status(job_id)
    assert (status["progress"], status["progress_message"]) == (1.0, "step 500 of 500")
    progress_writes = [q for q in queries if "progress" in q["sql"] and "UPDATE" in q["sql"]]
    assert 1 <= len(progress_writes) < 20  # combined, not one write per call


@pytest.mark.parametrize(
    "fraction, message, error",
    [
        (1.5, None, "progress must be a number from 0 to 1; got 1.5"),
        (-0.1, None, "progress must be a number from 0 to 1; got -0.1"),
        ("half", None, "progress must be a number from 0 to 1; got 'half'"),
        (True, None, "progress must be a number from 0 to 1; got True"),
        (0.5, 42, "the progress message must be a string; got int"),
    ],
)
def test_bad_progress_fails_the_run_with_a_clear_error(queue, worker, fraction, message, error):
    job_id = queue.submit(
        Job("bad", jobs.report_progress, params={"fraction": fraction, "message": message},
            max_attempts=1)
    )  # fmt: skip
    worker.process_one()
    status = queue.get_status(job_id)
    assert status["status"] == JobStatus.FAILED
    assert status["error"] == error
    assert status["progress"] is None


@pytest.mark.parametrize("fraction", [float("nan"), float("inf")])
def test_progress_refuses_values_json_cannot_carry(queue, fraction):
    queue.submit(Job("nan", jobs.noop))
    [run] = claim_jobs("worker-a", using="default")
    with pytest.raises(ValueError, match="progress must be a number from 0 to 1"):
        JobContext(run, "default").set_progress(fraction)


def test_a_long_progress_message_is_cut_not_refused(queue, worker):
    job_id = queue.submit(Job("long", jobs.report_progress,
                              params={"fraction": 0.1, "message": "x" * 1000}))  # fmt: skip
    worker.process_one()
    assert queue.get_status(job_id)["progress_message"] == "x" * 255


def test_progress_of_a_run_that_lost_its_job_is_not_written(queue):
    job_id = queue.submit(Job("rescued", jobs.noop))
    [run] = claim_jobs("worker-a", using="default")
    JobRow.objects.filter(id=job_id).update(status=JobStatus.PENDING)  # taken away
    context = JobContext(run, "default")
    context.set_progress(0.9, "too late")
    assert JobRow.objects.values_list("progress", flat=True).get(id=job_id) is None


def test_a_new_run_starts_without_the_previous_runs_progress(queue):
    job_id = queue.submit(Job("retried", jobs.report_progress, params={"fraction": 0.3}))
    [first] = claim_jobs("worker-a", using="default")
    run_job(first, "default")
    assert JobRow.objects.values_list("progress", flat=True).get(id=job_id) == 0.3

    JobRow.objects.filter(id=job_id).update(status=JobStatus.PENDING)  # as a retry leaves it
    claim_jobs("worker-a", using="default")
    assert JobRow.objects.values_list("progress", "progress_message").get(id=job_id) == (None, "")


def test_snooze_runs_the_job_again_later_with_the_same_attempt(queue, worker):
    job_id = queue.submit(Job("sleepy", jobs.snooze_once, params={"key": "s", "seconds": 60}))
    assert worker.process_one()

    job = JobRow.objects.get(id=job_id)
    assert (job.status, job.attempts, job.error) == (JobStatus.PENDING, 0, "snoozed for 60 s")
    execution = JobExecution.objects.get(job_id=job_id)
    assert (execution.status, execution.attempt) == ("snoozed", 1)
    assert (job.run_after - execution.completed_at).total_seconds() == pytest.approx(60, abs=2)
    assert not worker.process_one()  # not due yet

    JobRow.objects.filter(id=job_id).update(run_after=execution.completed_at)
    assert worker.process_one()
    assert queue.get_result(job_id) == "woke up"
    assert executions(queue, job_id) == [(1, "snoozed"), (1, "completed")]
    assert list(Run.objects.values_list("attempt_marker", flat=True)) == ["1", "1"]
    assert JobRow.objects.get(id=job_id).attempts == 1


def test_snooze_does_not_use_up_the_last_attempt(queue, worker):
    job_id = queue.submit(Job("one try", jobs.snooze_once, params={"key": "t", "seconds": 0},
                              max_attempts=1))  # fmt: skip
    worker.run(burst=True)
    assert queue.get_result(job_id) == "woke up"


@pytest.mark.parametrize("seconds", [-1, MAX_SNOOZE_SECONDS + 1, float("inf"), "soon", None])
def test_snooze_refuses_nonsense_seconds(seconds):
    with pytest.raises(ValueError, match="snooze takes"):
        JobSnoozed(seconds)


def test_a_job_that_cancels_itself_ends_cancelled_without_retry(
    queue, worker, django_capture_on_commit_callbacks
):
    cancelled = []

    def receiver(**kwargs):
        cancelled.append(kwargs)

    signals.job_cancelled.connect(receiver)
    parent = Job("quitter", jobs.cancel_itself, params={"reason": "stock sold out"},
                 max_attempts=3)  # fmt: skip
    child = Job("after", jobs.noop, dependencies=[parent])
    queue.submit_many([parent, child])
    try:
        with django_capture_on_commit_callbacks(execute=True):
            worker.run(burst=True)
    finally:
        signals.job_cancelled.disconnect(receiver)
    status = queue.get_status(parent.id)
    assert (status["status"], status["error"], status["attempts"]) == (
        "cancelled",
        "stock sold out",
        1,
    )
    assert executions(queue, parent.id) == [(1, "cancelled")]
    assert queue.get_status(child.id)["status"] == "cancelled"
    assert [c["job_id"] for c in cancelled] == [parent.id, child.id]


def test_raising_job_cancelled_is_the_same_as_calling_cancel(queue, worker):
    job_id = queue.submit(Job("raiser", jobs.raise_job_cancelled))
    worker.process_one()
    status = queue.get_status(job_id)
    assert (status["status"], status["error"]) == ("cancelled", "nothing left to do")


def test_dependency_results_are_in_the_context(queue, worker):
    first = Job("first", jobs.add, params={"a": 1, "b": 2})
    second = Job("second", jobs.add, params={"a": 3, "b": 4})
    reader = Job("reader", jobs.read_dependency_results, dependencies=[first, second])
    queue.submit_many([first, second, reader])
    worker.run(burst=True)
    assert queue.get_result(reader.id) == {first.id: 3, second.id: 7}


def test_a_job_type_uses_the_context_and_a_snooze_calls_no_hook(queue, worker):
    job_id = ContextAware.submit(key="typed", then="snooze")
    worker.run(burst=True)
    assert queue.get_result(job_id) == job_id
    hooks = list(Run.objects.order_by("id").values_list("key", flat=True))
    assert hooks == ["typed:run:1", "typed:run:1", "typed:success"]
    assert queue.get_status(job_id)["progress"] == 0.75


def test_a_job_type_that_cancels_itself_calls_neither_retry_nor_failure(queue, worker):
    job_id = ContextAware.submit(key="stop", then="cancel")
    worker.run(burst=True)
    assert queue.get_status(job_id)["status"] == "cancelled"
    assert list(Run.objects.values_list("key", flat=True)) == ["stop:run:1"]


def test_context_outside_a_run_says_so():
    with pytest.raises(RuntimeError, match="exists only while a worker runs the job"):
        ContextAware(key="x").context  # noqa: B018 - the property raises


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_shows_progress_while_running_and_runs_a_snoozed_job_a_second_later(
    queue,
):
    progress_job = queue.submit(
        Job("progress", jobs.report_progress_until_released, params={"key": "go"})
    )
    sleepy = queue.submit(Job("sleepy", jobs.snooze_once, params={"key": "nap", "seconds": 1}))
    worker = start_worker("--concurrency", "2", "--polling-interval", "0.1")
    try:
        running = wait_for(
            lambda: (s := queue.get_status(progress_job))["progress"] == 0.5 and s,
            message="progress while running",
        )
        assert (running["status"], running["progress_message"]) == ("running", "halfway")
        Run.objects.create(key="go", pid=0)
        wait_for(lambda: queue.get_result(progress_job) == "released", message="the release")
        wait_for(lambda: queue.get_result(sleepy) == "woke up", message="the snoozed job")
    finally:
        exit_code, _out, err = stop(worker)
    assert exit_code == 0, err
    snoozed, completed = JobExecution.objects.filter(job_id=sleepy).order_by("started_at")
    assert (snoozed.status, snoozed.attempt, completed.attempt) == ("snoozed", 1, 1)
    pause = (completed.started_at - snoozed.completed_at).total_seconds()
    assert 1.0 <= pause < 5.0
    assert JobRow.objects.get(id=sleepy).attempts == 1
