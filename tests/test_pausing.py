"""Pausing a queue: no worker claims its jobs, running ones finish, resume lets them run."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from django_gigq import Job, JobStatus
from django_gigq import signals as gigq_signals
from django_gigq.claim import claim_jobs
from django_gigq.models import Job as JobRow
from django_gigq.models import PausedQueue
from tests import jobs
from tests.processes import kill_group, start_worker, stop, wait_for
from tests.test_claim import _sorts, analyze_job_table


def status(job_id) -> str:
    return JobRow.objects.values_list("status", flat=True).get(id=job_id)


# The API


def test_pause_is_stored_and_listed_with_its_reason_and_author(queue):
    assert queue.pause("emails", "mail server down", paused_by="ops") is True

    (paused,) = queue.paused_queues()
    assert paused["queue"] == "emails"
    assert (paused["reason"], paused["paused_by"]) == ("mail server down", "ops")
    assert isinstance(paused["paused_at"], str)  # ISO 8601, as JobQueue's other dicts
    assert PausedQueue.objects.names() == ["emails"]


def test_pausing_a_paused_queue_keeps_its_first_pause(queue):
    queue.pause("emails", "first")

    assert queue.pause("emails", "second") is False
    assert [row["reason"] for row in queue.paused_queues()] == ["first"]


def test_resume_says_whether_the_queue_was_paused(queue):
    queue.pause("emails")

    assert queue.resume("emails") is True
    assert queue.resume("emails") is False
    assert queue.paused_queues() == []


@pytest.mark.parametrize(
    ("name", "error", "match"),
    [
        ("", ValueError, "queue must not be empty"),
        ("q" * 101, ValueError, "at most 100 characters"),
        (None, TypeError, "queue must be a str"),
        ("bad\x00name", ValueError, "queue"),
    ],
)
def test_pause_and_resume_refuse_what_cannot_name_a_queue(queue, name, error, match):
    with pytest.raises(error, match=match):
        queue.pause(name)
    with pytest.raises(error, match=match):
        queue.resume(name)
    assert not PausedQueue.objects.exists()


def test_pause_refuses_a_reason_that_is_not_text(queue):
    with pytest.raises(TypeError, match="reason must be a str"):
        queue.pause("emails", reason=3)
    assert not PausedQueue.objects.exists()


def test_pause_inside_a_rolled_back_transaction_leaves_the_queue_running(queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue.pause("emails")
        raise RuntimeError("the surrounding request failed")

    assert queue.paused_queues() == []


def test_pause_and_resume_send_their_signals_after_commit(
    queue, django_capture_on_commit_callbacks
):
    received = []

    def record(sender, signal, **kwargs):
        received.append((sender, kwargs))

    gigq_signals.queue_paused.connect(record)
    gigq_signals.queue_resumed.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            queue.pause("emails", "incident 42", paused_by="ops")
            assert received == [], "sent before the commit"
        with django_capture_on_commit_callbacks(execute=True):
            queue.resume("emails")
    finally:
        gigq_signals.queue_paused.disconnect(record)
        gigq_signals.queue_resumed.disconnect(record)

    assert received == [
        (
            PausedQueue,
            {"queue": "emails", "reason": "incident 42", "paused_by": "ops", "using": "default"},
        ),
        (PausedQueue, {"queue": "emails", "using": "default"}),
    ]


# The claim


def test_claim_skips_the_jobs_of_paused_queues(queue):
    paused = queue.submit(Job("held", jobs.noop, queue="emails", priority=10))
    other = queue.submit(Job("free", jobs.noop, queue="default"))
    queue.pause("emails")

    claimed = claim_jobs("w", limit=10, using="default")
    named = claim_jobs("w", limit=10, queues=["emails"], using="default")

    assert [str(job.id) for job in claimed] == [other]
    assert named == []
    assert status(paused) == JobStatus.PENDING


def test_resumed_queue_is_claimed_again(queue):
    job_id = queue.submit(Job("held", jobs.noop, queue="emails"))
    queue.pause("emails")
    assert claim_jobs("w", limit=1, using="default") == []

    queue.resume("emails")

    assert [str(job.id) for job in claim_jobs("w", limit=1, using="default")] == [job_id]


# Paused jobs in the claim index's way cost a filter, never a sort of the backlog.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "queues",
    [None, ["default"], ["default", "other"]],
    ids=["every queue", "one queue", "two queues"],
)
def test_claim_with_a_paused_queue_reads_the_claim_index_in_order(queue, queues):
    names = ["default", "other", "bulk"]
    queue.submit_many(
        [Job(f"n{i}", jobs.noop, priority=i % 5, queue=names[i % 3]) for i in range(3000)]
    )
    queue.pause("bulk")
    analyze_job_table()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {PausedQueue._meta.db_table}")

    claim = JobRow.objects.claimable(queues).values("id")[:10]
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            plan = claim.select_for_update(skip_locked=True).explain()
    else:
        plan = claim.explain()

    assert "gigq_job_claim" in plan, plan
    assert not _sorts(plan), plan
    assert "bulk" not in set(JobRow.objects.claimable(queues).values_list("queue", flat=True))


# A running gigq_worker

#: Settings of a worker that wakes only for NOTIFY (PostgreSQL) or after a long wait.
SLEEPY = {
    "HEARTBEAT_INTERVAL": 20,
    "LEASE_SECONDS": 60,
    "RESCUE_INTERVAL": 60,
    "SCHEDULER_INTERVAL": 60,
}


def sleepy_worker():
    """Start a worker whose only quick wake-up is NOTIFY on PostgreSQL; elsewhere it polls."""
    polling = "60" if connection.vendor == "postgresql" else "0.2"
    return start_worker("--concurrency", "1", "--polling-interval", polling, gigq_settings=SLEEPY)


def completed(job_ids) -> bool:
    return JobRow.objects.filter(id__in=job_ids, status=JobStatus.COMPLETED).count() == len(job_ids)


@pytest.mark.django_db(transaction=True)
def test_worker_leaves_a_paused_queue_alone_until_it_is_resumed(queue):
    queue.pause("held")
    # Higher priority: a worker that ignored the pause would run these first.
    held = queue.submit_many(
        [Job(f"held{i}", jobs.record, params={"key": f"held{i}"}, queue="held", priority=10)
         for i in range(3)]
    )  # fmt: skip
    free = queue.submit_many(
        [Job(f"free{i}", jobs.record, params={"key": f"free{i}"}) for i in range(3)]
    )
    worker = sleepy_worker()
    try:
        wait_for(lambda: completed(free), message="the other queue to drain")
        assert [status(job_id) for job_id in held] == ["pending"] * 3

        queue.resume("held")

        # On PostgreSQL the worker sleeps for 20 s or more unless the resume's NOTIFY wakes it.
        wait_for(lambda: completed(held), timeout=10, message="the resumed queue to drain")
    finally:
        # Killed, not stopped: a sleepy worker would notice SIGTERM only when it next wakes.
        kill_group(worker)
        worker.communicate()


@pytest.mark.django_db(transaction=True)
def test_pausing_a_queue_lets_its_running_job_finish(queue):
    worker = start_worker("--concurrency", "1", "--polling-interval", "0.2")
    try:
        running = queue.submit(Job("slow", jobs.sleep_then_record,
                                   params={"key": "slow", "seconds": 1}, queue="mail"))  # fmt: skip
        wait_for(lambda: status(running) == JobStatus.RUNNING, message="the job to start")
        queue.pause("mail")
        waiting = queue.submit(Job("next mail", jobs.noop, queue="mail", priority=5))
        other = queue.submit(Job("other", jobs.noop))

        wait_for(lambda: status(other) == JobStatus.COMPLETED, message="the other queue's job")

        assert status(running) == JobStatus.COMPLETED
        assert status(waiting) == JobStatus.PENDING
    finally:
        exit_code, _out, err = stop(worker)
    assert exit_code == 0, err


# The gigq command


def gigq(*args: str) -> str:
    out = StringIO()
    call_command("gigq", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_gigq_pause_and_resume_say_what_they_did(queue):
    assert gigq("pause", "emails", "--reason", "outage") == (
        "Queue emails paused: no worker claims its jobs until `gigq resume emails`."
    )
    assert gigq("pause", "emails").startswith("Queue emails was already paused (since ")
    (paused,) = queue.paused_queues()
    assert paused["reason"] == "outage"
    assert "@" in paused["paused_by"]  # user@host of whoever ran the command

    assert gigq("resume", "emails") == "Queue emails resumed."
    assert gigq("resume", "emails") == "Queue emails was not paused."
    assert queue.paused_queues() == []


def test_gigq_pause_and_resume_json(queue):
    assert json.loads(gigq("pause", "emails", "--json")) == {
        "queue": "emails",
        "paused": True,
        "changed": True,
    }
    assert json.loads(gigq("resume", "emails", "--json")) == {
        "queue": "emails",
        "paused": False,
        "changed": True,
    }


def test_gigq_paused_lists_the_paused_queues(queue):
    assert gigq("paused") == "No queue is paused."
    queue.pause("emails", "outage", paused_by="ops")
    queue.pause("reports")

    table = gigq("paused").splitlines()
    listed = json.loads(gigq("paused", "--json"))

    assert table[0].split() == ["Queue", "Paused", "at", "By", "Reason"]
    assert table[2].startswith("emails") and table[2].endswith("ops  outage")
    assert table[3].startswith("reports")
    assert [row["queue"] for row in listed] == ["emails", "reports"]


def test_gigq_stats_names_the_paused_queues(queue):
    queue.submit(Job("held", jobs.noop, queue="emails"))
    assert "Paused" not in gigq("stats")
    queue.pause("emails")

    assert gigq("stats").endswith("Paused queues (no worker claims their jobs): emails")
    assert "paused" not in json.loads(gigq("stats", "--json"))  # JobQueue.stats(), as GigQ's


def test_gigq_pause_refuses_a_queue_name_it_cannot_store(db):
    with pytest.raises(CommandError, match="queue must be at most 100 characters") as raised:
        gigq("pause", "q" * 101)
    assert raised.value.returncode == 1
    assert not PausedQueue.objects.exists()
