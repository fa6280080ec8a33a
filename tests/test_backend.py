"""``GigQBackend``: django.tasks tasks stored as jobs, run by the worker, read back as results."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from django_gigq import JobQueue, JobStatus
from django_gigq.backends import AVAILABLE, UNAVAILABLE_REASON
from django_gigq.claim import claim_jobs
from django_gigq.models import Job as JobRow

if not AVAILABLE:
    pytest.skip(UNAVAILABLE_REASON, allow_module_level=True)

from django_gigq.backends import GigQBackend, GigQTask  # noqa: E402
from django_gigq.tasks_compat import (  # noqa: E402
    InvalidTask,
    TaskResultDoesNotExist,
    TaskResultStatus,
    task_backends,
    task_enqueued,
    task_finished,
    task_started,
)
from tests import tasks  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def gigq_tasks(**options):
    """``TASKS`` with the test backend's queues and these job ``OPTIONS``."""
    return {
        "default": {
            "BACKEND": "django_gigq.backends.GigQBackend",
            "QUEUES": ["default", "emails"],
            "OPTIONS": options,
        }
    }


@pytest.fixture
def received():
    """Record the django.tasks signals sent during the test: ``[(name, status), ...]``."""
    log = []
    handlers = {}
    for name, signal in (
        ("enqueued", task_enqueued),
        ("started", task_started),
        ("finished", task_finished),
    ):

        def handler(sender, task_result, name=name, **kwargs):
            log.append((name, task_result.status, sender))

        handlers[signal] = handler
        signal.connect(handler)
    yield log
    for signal, handler in handlers.items():
        signal.disconnect(handler)


def test_backend_supports_defer_async_results_and_priority():
    backend = task_backends["default"]
    assert isinstance(backend, GigQBackend)
    assert backend.supports_defer
    assert backend.supports_async_task
    assert backend.supports_get_result
    assert backend.supports_priority


def test_building_the_backend_touches_no_database():
    # No db fixture: pytest-django fails any query made here.
    backend = GigQBackend("other", {"QUEUES": [], "OPTIONS": {"max_attempts": 2}})
    assert backend.alias == "other"


def test_enqueue_stores_a_job_named_by_the_task_path_with_args_and_kwargs(db, received):
    result = tasks.send_email.enqueue("ada@example.com")

    row = JobRow.objects.get(id=result.id)
    assert row.function == "tests.tasks.send_email"
    assert row.params == {"args": ["ada@example.com"], "kwargs": {}}
    assert (row.queue, row.priority, row.status) == ("emails", 7, JobStatus.PENDING)
    assert result.status == TaskResultStatus.READY
    assert result.enqueued_at == row.created_at
    assert (result.args, result.kwargs, result.backend) == (["ada@example.com"], {}, "default")
    assert received == [("enqueued", TaskResultStatus.READY, GigQBackend)]


def test_enqueued_task_runs_in_the_worker_and_its_result_is_successful(db, drain, received):
    result = tasks.add.enqueue(2, b=3)
    assert drain() == 1

    fetched = tasks.add.get_result(result.id)
    assert fetched.status == TaskResultStatus.SUCCESSFUL
    assert fetched.return_value == 5
    assert fetched.errors == []
    assert fetched.attempts == 1
    assert fetched.started_at is not None
    assert fetched.finished_at >= fetched.started_at
    assert fetched.last_attempted_at == fetched.started_at
    assert (fetched.args, fetched.kwargs) == ([2], {"b": 3})
    assert [name for name, _status, _sender in received] == ["enqueued", "started", "finished"]
    assert received[1][1] == TaskResultStatus.RUNNING
    assert received[2][1] == TaskResultStatus.SUCCESSFUL

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL


def test_failing_task_is_failed_with_its_traceback_in_errors(db, drain, received):
    result = tasks.fail.enqueue("it broke")
    drain()

    fetched = tasks.fail.get_result(result.id)
    assert fetched.status == TaskResultStatus.FAILED
    assert len(fetched.errors) == fetched.attempts == 3  # the job default: 3 attempts
    error = fetched.errors[-1]
    assert error.exception_class is ValueError
    assert "ValueError: it broke" in error.traceback
    assert "raise ValueError(message)" in error.traceback
    with pytest.raises(ValueError, match="Task failed"):
        fetched.return_value  # noqa: B018 - the property raises
    # task_finished once, when no attempt is left; task_started for every attempt.
    names = [name for name, _status, _sender in received]
    assert names.count("started") == 3
    assert names.count("finished") == 1
    assert received[-1][1] == TaskResultStatus.FAILED


@override_settings(TASKS=gigq_tasks(max_attempts=3))
def test_retries_show_up_as_attempts_with_one_error_per_failed_one(db, drain):
    result = tasks.flaky.enqueue("k", succeed_on_call=3)
    drain()

    fetched = tasks.flaky.get_result(result.id)
    assert fetched.status == TaskResultStatus.SUCCESSFUL
    assert fetched.return_value == 3
    assert fetched.attempts == 3
    assert len(fetched.worker_ids) == 3
    assert [error.exception_class for error in fetched.errors] == [RuntimeError, RuntimeError]
    # Retries move the job's run_after; the task itself was never deferred.
    assert fetched.task.run_after is None


@override_settings(TASKS=gigq_tasks(max_attempts=2))
def test_task_that_takes_context_gets_its_attempt_and_result(db, drain, worker):
    result = tasks.describe_context.enqueue("hello")
    drain()

    value = tasks.describe_context.get_result(result.id).return_value
    assert value == {
        "label": "hello",
        "attempt": 1,
        "id": result.id,
        "status": "RUNNING",
        "worker_ids": [worker.worker_id],
    }


def test_last_attempt_lost_with_its_worker_finishes_the_task_as_failed(
    db, received, django_capture_on_commit_callbacks
):
    from django_gigq.exceptions import WorkerLost
    from django_gigq.maintenance import rescue

    result = tasks.add.enqueue(1, 2)
    JobRow.objects.filter(id=result.id).update(max_attempts=1)
    claim_jobs("vanished-worker", using="default")
    JobRow.objects.running().update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert rescue.run_once("default") == 1

    fetched = tasks.add.get_result(result.id)
    assert fetched.status == TaskResultStatus.FAILED
    assert fetched.worker_ids == ["vanished-worker"]
    [error] = fetched.errors
    assert error.exception_class is WorkerLost  # an importable class, as the contract asks
    assert "worker lost" in error.traceback
    # The task never reported (its process was gone): the rescuer sends task_finished.
    assert received[-1] == ("finished", TaskResultStatus.FAILED, GigQBackend)


def test_lost_attempt_with_attempts_left_is_ready_again_and_not_finished(
    db, received, django_capture_on_commit_callbacks
):
    from django_gigq.maintenance import rescue

    result = tasks.add.enqueue(1, 2)
    claim_jobs("vanished-worker", using="default")
    JobRow.objects.running().update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        rescue.run_once("default")

    fetched = tasks.add.get_result(result.id)
    assert fetched.status == TaskResultStatus.READY
    assert len(fetched.errors) == fetched.attempts == 1
    assert "finished" not in [name for name, _status, _sender in received]


def test_cancelled_task_is_failed_without_errors_and_sends_no_task_finished(
    db, queue, received, django_capture_on_commit_callbacks
):
    result = tasks.add.enqueue(1, 2)

    with django_capture_on_commit_callbacks(execute=True):
        assert queue.cancel(result.id)

    fetched = tasks.add.get_result(result.id)
    # FAILED is "raised, or was unable to start"; it never ran, so no attempt, no error.
    assert fetched.status == TaskResultStatus.FAILED
    assert fetched.is_finished
    assert (fetched.errors, fetched.attempts) == ([], 0)
    with pytest.raises(ValueError, match="Task failed"):
        fetched.return_value  # noqa: B018 - the property raises
    # Cancelling is an operator's act, not a run: django-gigq's job_cancelled reports it.
    assert "finished" not in [name for name, _status, _sender in received]


def test_a_task_that_snoozes_is_ready_again_and_then_successful(db, drain, worker):
    result = tasks.snooze_once.enqueue("nap")
    assert worker.process_one()

    # django.tasks counts every run as an attempt (one worker id each); the job's own
    # attempt count, which decides its retries, is not used up by the snooze.
    snoozed = tasks.snooze_once.get_result(result.id)
    assert (snoozed.status, snoozed.errors, snoozed.attempts) == (TaskResultStatus.READY, [], 1)
    assert JobRow.objects.get(id=result.id).attempts == 0
    assert drain() == 1
    done = tasks.snooze_once.get_result(result.id)
    assert (done.status, done.return_value, done.attempts) == (
        TaskResultStatus.SUCCESSFUL,
        "awake",
        2,
    )


def test_async_task_runs(db, drain):
    result = tasks.async_add.enqueue(20, 22)
    drain()
    assert tasks.async_add.get_result(result.id).return_value == 42


def test_aenqueue_and_aget_result_work(db, drain):
    result = async_to_sync(tasks.add.aenqueue)(1, 2)
    drain()
    fetched = async_to_sync(tasks.add.aget_result)(result.id)
    assert fetched.return_value == 3


def test_unknown_or_malformed_result_id_does_not_exist(db):
    backend = task_backends["default"]
    with pytest.raises(TaskResultDoesNotExist):
        backend.get_result("0190f5c2-0000-7000-8000-000000000000")
    with pytest.raises(TaskResultDoesNotExist):
        backend.get_result("not-a-uuid")


def test_a_plain_job_is_not_a_task_result(db, queue):
    from django_gigq import Job
    from tests import jobs

    job_id = queue.submit(Job("plain", jobs.noop))
    with pytest.raises(TaskResultDoesNotExist, match="not a django.tasks Task"):
        task_backends["default"].get_result(job_id)


def test_statuses_map_onto_the_four_task_statuses(db):
    backend = task_backends["default"]
    ready = tasks.add.enqueue(1, 1)
    running = tasks.add.enqueue(1, 2)
    cancelled = tasks.add.enqueue(1, 3)
    JobQueue().cancel(cancelled.id)
    claimed = claim_jobs("w1", limit=2, using="default")
    JobRow.objects.filter(id=ready.id).update(status=JobStatus.PENDING, worker_id=None)
    assert {str(job.id) for job in claimed} == {ready.id, running.id}

    assert backend.get_result(ready.id).status == TaskResultStatus.READY
    assert backend.get_result(running.id).status == TaskResultStatus.RUNNING
    assert backend.get_result(running.id).worker_ids == ["w1"]
    assert backend.get_result(cancelled.id).status == TaskResultStatus.FAILED
    JobRow.objects.filter(id=running.id).update(status=JobStatus.TIMEOUT)
    assert backend.get_result(running.id).status == TaskResultStatus.FAILED


def test_deferred_task_waits_for_run_after(db, drain):
    later = timezone.now() + timedelta(hours=1)
    result = tasks.add.using(run_after=later).enqueue(1, 2)

    assert drain() == 0
    fetched = tasks.add.get_result(result.id)
    assert fetched.status == TaskResultStatus.READY
    assert fetched.task.run_after == later
    assert JobRow.objects.get(id=result.id).run_after == later


def test_deferred_task_that_ran_keeps_its_run_after(db, drain):
    result = tasks.add.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(1, 2)
    # As if submitted two minutes ago to run a minute ago.
    now = timezone.now()
    due = now - timedelta(minutes=1)
    JobRow.objects.filter(id=result.id).update(created_at=now - timedelta(minutes=2), run_after=due)

    assert drain() == 1
    fetched = tasks.add.get_result(result.id)
    assert fetched.status == TaskResultStatus.SUCCESSFUL
    assert fetched.task.run_after == due


def test_priority_and_queue_map_onto_the_job(db):
    result = tasks.add.using(priority=-5, queue_name="emails").enqueue(1, 2)
    row = JobRow.objects.get(id=result.id)
    assert (row.priority, row.queue) == (-5, "emails")
    fetched = tasks.add.get_result(result.id)
    assert (fetched.task.priority, fetched.task.queue_name) == (-5, "emails")


def test_queue_outside_the_backend_queues_is_refused(db):
    with pytest.raises(InvalidTask):
        tasks.add.using(queue_name="elsewhere")


def test_enqueue_applies_the_allowlist_and_the_params_limit(db):
    with override_settings(GIGQ={"ALLOWED_MODULES": ["django_gigq"]}):
        with pytest.raises(ValueError, match="not in an allowed module"):
            tasks.add.enqueue(1, 2)
    with override_settings(GIGQ={"MAX_PARAMS_BYTES": 64}):
        with pytest.raises(ValueError, match="over the limit of 64"):
            tasks.add.enqueue("x" * 100, 1)
    assert not JobRow.objects.exists()


def test_arguments_that_are_not_json_are_refused_at_enqueue(db):
    with pytest.raises(TypeError):
        tasks.add.enqueue({1, 2}, 3)


def test_return_value_that_is_not_json_fails_without_retrying(db, drain):
    result = tasks.returns_set.enqueue()
    drain()
    fetched = tasks.returns_set.get_result(result.id)
    assert fetched.status == TaskResultStatus.FAILED
    assert fetched.attempts == 1
    assert "JSON" in fetched.errors[0].traceback


@override_settings(
    TASKS=gigq_tasks(timeout=42, max_attempts=4, retry_delay=3, retry_backoff="random")
)
def test_backend_options_are_job_defaults(db):
    result = tasks.add.enqueue(1, 2)
    row = JobRow.objects.get(id=result.id)
    assert (row.timeout, row.max_attempts, row.retry_delay, row.retry_backoff) == (
        42,
        4,
        3,
        "random",
    )


@pytest.mark.skipif(not tasks.TASK_ACCEPTS_OPTIONS, reason="@task takes no extra options")
@override_settings(TASKS=gigq_tasks(timeout=42, max_attempts=4))
def test_task_options_override_backend_options(db):
    assert isinstance(tasks.with_job_options, GigQTask)
    result = tasks.with_job_options.enqueue()
    row = JobRow.objects.get(id=result.id)
    assert (row.timeout, row.max_attempts, row.retry_delay, row.retry_backoff) == (
        30,
        1,
        5,
        "exponential",
    )
    # using() keeps them.
    assert tasks.with_job_options.using(priority=3).timeout == 30


def test_invalid_task_options_are_refused():
    with pytest.raises(InvalidTask, match="max_attempts must be between 1"):
        # Every Task field given: Django 6.0's Task has no defaults for them.
        GigQTask(
            func=tasks.add.func,
            priority=0,
            backend="default",
            queue_name="default",
            run_after=None,
            max_attempts=0,
        )


def worker_env():
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        GIGQ_TEST_DB_NAME=str(connection.settings_dict["NAME"]),
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.mark.django_db(transaction=True)
def test_gigq_worker_process_runs_enqueued_tasks():
    ok = tasks.add.enqueue(2, 2)
    failed = tasks.fail.using(priority=1).enqueue("in a subprocess")

    process = subprocess.run(
        [sys.executable, "-m", "django", "gigq_worker", "--burst", "--polling-interval", "0"],
        env=worker_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert process.returncode == 0, process.stderr
    ok.refresh()
    assert ok.status == TaskResultStatus.SUCCESSFUL
    assert ok.return_value == 4
    assert len(ok.worker_ids) == 1
    failed.refresh()
    assert failed.status == TaskResultStatus.FAILED
    assert "ValueError: in a subprocess" in failed.errors[-1].traceback


@pytest.mark.django_db(transaction=True)
def test_task_stopped_at_its_timeout_is_failed_and_finished_by_the_worker():
    from tests.models import Run

    result = tasks.sleep_for.enqueue(60)
    JobRow.objects.filter(id=result.id).update(timeout=1, max_attempts=1)

    process = subprocess.run(
        [sys.executable, "-m", "django", "gigq_worker", "--burst", "--polling-interval", "0"],
        env=worker_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert process.returncode == 0, process.stderr
    fetched = tasks.sleep_for.get_result(result.id)
    assert fetched.status == TaskResultStatus.FAILED
    [error] = fetched.errors
    assert error.exception_class is TimeoutError
    assert "timed out after 1 seconds" in error.traceback
    # The task's own process was killed; the worker's supervisor sent task_finished.
    [finished] = Run.objects.filter(key=f"finished {result.id}")
    assert finished.attempt_marker == TaskResultStatus.FAILED
