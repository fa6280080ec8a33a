"""Submitting in the caller's transaction, and ``submit(..., on_commit=True)``."""

import pytest
from django.db import connection, transaction

from django_gigq import Job, JobQueue
from django_gigq.backends import AVAILABLE
from django_gigq.models import Job as JobRow
from django_gigq.wakeup import CHANNEL
from tests import jobs


class Rollback(Exception):
    pass


def test_job_submitted_in_a_rolled_back_transaction_leaves_no_job(db, queue):
    with pytest.raises(Rollback), transaction.atomic():
        queue.submit(Job("n", jobs.noop))
        assert JobRow.objects.count() == 1  # visible inside the transaction
        raise Rollback

    assert not JobRow.objects.exists()


def test_workflow_of_a_rolled_back_transaction_leaves_nothing(db, queue):
    parent = Job("parent", jobs.noop)
    with pytest.raises(Rollback), transaction.atomic():
        queue.submit_many([parent, Job("child", jobs.noop, dependencies=[parent])])
        raise Rollback

    assert not JobRow.objects.exists()


@pytest.mark.skipif(not AVAILABLE, reason="django.tasks is not available")
def test_task_enqueued_in_a_rolled_back_transaction_leaves_no_job(db):
    from tests import tasks

    with pytest.raises(Rollback), transaction.atomic():
        tasks.add.enqueue(1, 2)
        raise Rollback

    assert not JobRow.objects.exists()


def test_on_commit_stores_the_job_only_when_the_transaction_commits(
    db, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = queue.submit(Job("n", jobs.noop), on_commit=True)
        assert not JobRow.objects.exists()

    assert JobRow.objects.get().id.hex == job_id.replace("-", "")


def test_on_commit_stores_nothing_when_the_transaction_rolls_back(
    db, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Rollback), transaction.atomic():
            queue.submit_many([Job("a", jobs.noop), Job("b", jobs.noop)], on_commit=True)
            raise Rollback

    assert callbacks == []
    assert not JobRow.objects.exists()


def test_on_commit_checks_the_job_at_once(db, queue, django_capture_on_commit_callbacks):
    job = Job("n", jobs.noop)
    job.params = {"not": {1, 2}}
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(TypeError, match="JSON"):
            queue.submit(job, on_commit=True)
    assert callbacks == []


@pytest.mark.django_db(transaction=True)
def test_on_commit_outside_a_transaction_stores_at_once():
    queue = JobQueue()
    job_id = queue.submit(Job("n", jobs.noop), on_commit=True)
    assert queue.get_status(job_id)["status"] == "pending"


@pytest.mark.django_db(transaction=True)
def test_on_commit_inside_a_real_transaction_stores_after_commit():
    queue = JobQueue()
    with transaction.atomic():
        job_id = queue.submit(Job("n", jobs.noop), on_commit=True)
        assert not queue.get_status(job_id)["exists"]
    assert queue.get_status(job_id)["status"] == "pending"


@pytest.fixture
def listener():
    """A psycopg connection of its own, listening on the workers' NOTIFY channel."""
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as listening:
        listening.execute(f"LISTEN {CHANNEL}")
        yield listening


def notifications(listening, timeout):
    return [n.payload for n in listening.notifies(timeout=timeout, stop_after=1)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="NOTIFY is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_notify_is_not_delivered_for_a_rolled_back_submission(listener):
    queue = JobQueue()
    with pytest.raises(Rollback), transaction.atomic():
        queue.submit(Job("n", jobs.noop))
        raise Rollback
    assert notifications(listener, timeout=0.5) == []
    assert not JobRow.objects.exists()

    # The same submission committed does wake the listener.
    with transaction.atomic():
        queue.submit(Job("n", jobs.noop, queue="mail"))
    assert notifications(listener, timeout=5) == ["mail"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="NOTIFY is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_submitting_wakes_the_queues_of_new_jobs_that_wait_on_nothing(listener):
    queue = JobQueue()
    first = queue.submit(Job("n", jobs.noop, queue="mail"))  # outside any transaction
    assert notifications(listener, timeout=5) == ["mail"]

    waiting = Job("waits", jobs.noop, queue="later", dependencies=[first])
    queue.submit_many([Job("a", jobs.noop, queue="a"), Job("b", jobs.noop, queue="a"), waiting])
    assert all_notifications(listener, timeout=0.5) == ["a"]

    queue.submit(Job("keyed", jobs.noop, queue="keys", unique_key="k"))
    assert all_notifications(listener, timeout=0.5) == ["keys"]
    queue.submit(Job("duplicate", jobs.noop, queue="keys", unique_key="k"))  # stores nothing
    assert all_notifications(listener, timeout=0.5) == []


def all_notifications(listening, timeout):
    return [n.payload for n in listening.notifies(timeout=timeout)]
