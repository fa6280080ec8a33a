"""django-gigq's signals (sent after commit) and its logging (reaches the project's config)."""

import logging

import pytest
from django.db import transaction

from django_gigq import Job, JobQueue
from django_gigq import signals as gigq_signals
from django_gigq.claim import claim_jobs
from django_gigq.models import Job as JobRow
from tests import jobs

ALL = (
    "job_submitted",
    "job_started",
    "job_completed",
    "job_retrying",
    "job_failed",
    "job_cancelled",
)


@pytest.fixture
def received():
    """Record every django-gigq signal: ``[(signal name, kwargs), ...]``."""
    log = []
    handlers = []
    for signal_name in ALL:

        def handler(sender, signal, _signal_name=signal_name, **kwargs):
            assert sender is JobRow
            log.append((_signal_name, kwargs))

        getattr(gigq_signals, signal_name).connect(handler)
        handlers.append((signal_name, handler))
    yield log
    for name, handler in handlers:
        getattr(gigq_signals, name).disconnect(handler)


def names(log):
    return [name for name, _kwargs in log]


def test_job_submitted_is_sent_after_commit(
    db, queue, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = queue.submit(Job("n", jobs.noop, queue="default"))
        assert received == [], "sent before the commit"

    assert received == [
        (
            "job_submitted",
            {
                "job_id": job_id,
                "name": "n",
                "function": "tests.jobs.noop",
                "queue": "default",
                "using": "default",
            },
        )
    ]


def test_rolled_back_submission_sends_nothing(
    db, queue, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue.submit(Job("n", jobs.noop))
            raise RuntimeError("roll back")
    assert callbacks == []
    assert received == []


def test_successful_job_sends_started_then_completed(
    db, queue, drain, worker, received, django_capture_on_commit_callbacks
):
    job_id = queue.submit(Job("sum", jobs.add, params={"a": 1, "b": 2}))
    with django_capture_on_commit_callbacks(execute=True):
        drain()

    assert names(received) == ["job_started", "job_completed"]
    started, completed = received[0][1], received[1][1]
    assert started == {
        "job_id": job_id,
        "name": "sum",
        "function": "tests.jobs.add",
        "queue": "default",
        "attempt": 1,
        "using": "default",
    }
    assert completed["result"] == 3
    assert completed["worker_id"] == worker.worker_id
    assert completed["duration"] >= 0


def test_failing_job_sends_retrying_then_failed(
    db, queue, drain, received, django_capture_on_commit_callbacks
):
    job_id = queue.submit(Job("f", jobs.fail, params={"message": "nope"}, max_attempts=2))
    with django_capture_on_commit_callbacks(execute=True):
        drain()

    # The test's transaction never commits: the captured callbacks run at the end.
    assert names(received) == ["job_started", "job_started", "job_retrying", "job_failed"]
    retrying, failed = received[2][1], received[3][1]
    assert (retrying["job_id"], retrying["attempt"], retrying["error"]) == (job_id, 1, "nope")
    assert retrying["exception_type"] == "builtins.ValueError"
    assert (failed["attempt"], failed["status"], failed["error"]) == (2, "failed", "nope")
    assert "ValueError: nope" in failed["traceback"]
    assert retrying["duration"] >= 0 and failed["duration"] >= 0


@pytest.mark.django_db(transaction=True)
def test_job_claimed_is_sent_by_the_claiming_worker_once_the_claim_commits(queue):
    claimed = []

    def receiver(sender, job_id, **kwargs):
        claimed.append({"job_id": job_id, **kwargs, "status": JobRow.objects.get(id=job_id).status})

    gigq_signals.job_claimed.connect(receiver)
    try:
        job_id = queue.submit(Job("sum", jobs.add, params={"a": 1, "b": 2}, queue="claims"))
        with transaction.atomic():
            claim_jobs("w1", queues=["claims"], using="default")
            assert claimed == [], "sent before the commit"
    finally:
        gigq_signals.job_claimed.disconnect(receiver)

    claimed[0].pop("signal")
    assert claimed == [
        {
            "job_id": job_id,
            "name": "sum",
            "function": "tests.jobs.add",
            "queue": "claims",
            "attempt": 1,
            "worker_id": "w1",
            "using": "default",
            "status": "running",
        }
    ]


def test_cancel_sends_job_cancelled_for_the_job_and_its_dependents(
    db, queue, received, django_capture_on_commit_callbacks
):
    parent = Job("parent", jobs.noop)
    child = Job("child", jobs.noop, dependencies=[parent])
    queue.submit_many([parent, child])
    with django_capture_on_commit_callbacks(execute=True):
        assert queue.cancel(parent.id)

    assert received == [
        (
            "job_cancelled",
            {"job_id": parent.id, "reason": "cancelled", "cancelled_by": None, "using": "default"},
        ),
        (
            "job_cancelled",
            {
                "job_id": child.id,
                "reason": f"cancelled because dependency {parent.id} (parent) ended cancelled",
                "cancelled_by": parent.id,
                "using": "default",
            },
        ),
    ]


def test_failing_receiver_is_logged_and_does_not_break_the_worker(
    db, queue, drain, caplog, django_capture_on_commit_callbacks
):
    def broken(sender, **kwargs):
        raise RuntimeError("receiver bug")

    gigq_signals.job_completed.connect(broken)
    try:
        job_id = queue.submit(Job("n", jobs.noop))
        with django_capture_on_commit_callbacks(execute=True):
            assert drain() == 1
    finally:
        gigq_signals.job_completed.disconnect(broken)

    assert queue.get_status(job_id)["status"] == "completed"
    record = next(r for r in caplog.records if "Receiver" in r.getMessage())
    assert record.name == "django_gigq.events"
    assert record.exc_info[1].args == ("receiver bug",)


@pytest.mark.django_db(transaction=True)
def test_receivers_see_the_committed_change():
    seen = []

    def on_completed(sender, job_id, using, **kwargs):
        # Another connection would see the same: the outcome is committed.
        seen.append(JobRow.objects.using(using).get(id=job_id).status)

    gigq_signals.job_completed.connect(on_completed)
    try:
        from django_gigq import Worker

        JobQueue().submit(Job("n", jobs.noop))
        Worker(polling_interval=0).run(burst=True)
    finally:
        gigq_signals.job_completed.disconnect(on_completed)
    assert seen == ["completed"]


def test_logging_propagates_to_the_project_config(
    db, queue, drain, caplog, django_capture_on_commit_callbacks
):
    gigq_logger = logging.getLogger("django_gigq")
    assert gigq_logger.propagate
    assert not any(isinstance(h, logging.NullHandler) for h in gigq_logger.handlers)

    # caplog's handler sits on the root logger, where a project's LOGGING puts its handlers:
    # records reach it only by propagating from django_gigq.*.
    caplog.set_level(logging.DEBUG, logger="django_gigq")
    with django_capture_on_commit_callbacks(execute=True):
        job_id = queue.submit(Job("f", jobs.fail, params={"message": "bad"}, max_attempts=1))
        drain()

    events = {
        (r.levelname, r.getMessage()) for r in caplog.records if r.name == "django_gigq.events"
    }
    assert events == {
        ("DEBUG", f"Job {job_id} (f) submitted to queue default"),
        ("DEBUG", f"Job {job_id} (f) attempt 1 started"),
        ("ERROR", f"Job {job_id} (f) ended failed after attempt 1: bad"),
    }
