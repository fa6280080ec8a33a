"""State changes made on behalf of users: cancel, requeue, and what they do to dependents.

Every update filters on the state it expects and checks how many rows changed, so two
operators (or an operator and a worker) acting at once cannot both win.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError
from django.db.models import F

from .db import DatabaseNow, write_transaction
from .events import announce_cancelled
from .models import Job, JobDependency, JobExecution
from .states import UNSUCCESSFUL_STATES, JobStatus
from .wakeup import notify_cancel_requested, notify_jobs_available

if TYPE_CHECKING:
    from .claim import ClaimedJob


def cancel_job(job_id: uuid.UUID, *, using: str) -> bool:
    """Cancel a pending job and its dependents, or ask the worker running it to stop.

    A running job is cancelled by its worker: it asks the job to stop through its context,
    stops it by force after ``CANCEL_GRACE_SECONDS``, and records the run and the job as
    cancelled (see ``worker/supervisor.py``). Returns whether the job was pending, or
    running and not yet asked to stop.
    """
    with write_transaction(using):
        jobs = Job.objects.using(using).filter(id=job_id)
        changed = jobs.cancellable().update(
            status=JobStatus.CANCELLED,
            error="cancelled",
            completed_at=DatabaseNow(),
            updated_at=DatabaseNow(),
        )
        if changed:
            announce_cancelled([job_id], reason="cancelled", using=using)
            cancel_dependents(job_id, using=using)
            return True
        asked = jobs.stoppable().update(cancel_requested_at=DatabaseNow(), updated_at=DatabaseNow())
        if asked:
            notify_cancel_requested(using=using)
    return bool(asked)


def cancel_dependents(root_id: uuid.UUID, *, using: str) -> int:
    """Cancel every pending job that depends, directly or not, on ``root_id``.

    Called when ``root_id`` ends failed, timeout or cancelled: its dependents can never run.
    Each is marked ``cancelled_by`` the root, so requeueing the root re-opens them.
    Returns how many jobs were cancelled.
    """
    root = Job.objects.using(using).values("name", "status").get(id=root_id)
    reason = f"cancelled because dependency {root_id} ({root['name']}) ended {root['status']}"
    cancelled = 0
    frontier = [root_id]
    while frontier:
        dependents = Job.objects.using(using).pending_dependents_of(frontier)
        frontier = list(dependents.values_list("id", flat=True))
        cancelled += (
            Job.objects.using(using)
            .filter(id__in=frontier)
            .pending()
            .update(
                status=JobStatus.CANCELLED,
                error=reason,
                cancelled_by=root_id,
                completed_at=DatabaseNow(),
                updated_at=DatabaseNow(),
            )
        )
        announce_cancelled(frontier, reason=reason, cancelled_by=root_id, using=using)
    return cancelled


def requeue_job(job_id: uuid.UUID, *, using: str) -> bool:
    """Put a failed, timed-out or cancelled job back to pending, with fresh attempts.

    The dependents it cancelled are re-opened. A job that still waits on a dependency that
    did not succeed cannot run, so it is not requeued (requeue that dependency instead).
    A job whose ``unique_key`` another pending or running job holds now is not requeued
    either (the database refuses it). Returns whether the job was requeued.
    """
    try:
        return _requeue(job_id, using)
    except IntegrityError:
        return False  # a re-opened job's unique key is held by another job


def _requeue(job_id: uuid.UUID, using: str) -> bool:
    with write_transaction(using):
        job = Job.objects.using(using).requeueable().select_for_update().filter(id=job_id).first()
        if job is None or _has_unsuccessful_dependency(job_id, using):
            return False
        reopened = list(
            Job.objects.using(using).cancelled_because_of(job_id).values_list("id", flat=True)
        )
        to_reset = [job_id, *reopened]
        _reset_to_pending(to_reset, using)
        _recount_dependencies(to_reset, using)
        _cancel_if_blocked_by_unsuccessful(reopened, using)
        notify_jobs_available([""], using=using)
    return True


def _has_unsuccessful_dependency(job_id: uuid.UUID, using: str) -> bool:
    return (
        JobDependency.objects.using(using)
        .filter(job_id=job_id, depends_on__status__in=UNSUCCESSFUL_STATES)
        .exists()
    )


def _reset_to_pending(job_ids: list[uuid.UUID], using: str) -> None:
    Job.objects.using(using).filter(id__in=job_ids).update(
        status=JobStatus.PENDING,
        attempts=0,
        error="",
        result=None,
        worker_id=None,
        cancelled_by=None,
        cancel_requested_at=None,
        started_at=None,
        completed_at=None,
        run_after=DatabaseNow(),
        updated_at=DatabaseNow(),
    )


def _recount_dependencies(job_ids: Iterable[uuid.UUID], using: str) -> None:
    """Set ``pending_dependencies`` of re-opened jobs from their dependencies' states."""
    job_ids = list(job_ids)
    links = list(
        JobDependency.objects.using(using)
        .filter(job_id__in=job_ids)
        .values_list("job_id", "depends_on_id")
    )
    # Lock the dependencies so none completes between our count and our commit: its
    # completion would decrement counters before it could see these jobs as pending.
    states = dict(
        Job.objects.using(using)
        .select_for_update()
        .filter(id__in={dependency for _job, dependency in links})
        .values_list("id", "status")
    )
    unfinished: dict[uuid.UUID, int] = {}
    for job_id, dependency in links:
        if states.get(dependency) != JobStatus.COMPLETED:
            unfinished[job_id] = unfinished.get(job_id, 0) + 1
    for count in set(unfinished.values()):
        ids = [job_id for job_id, n in unfinished.items() if n == count]
        Job.objects.using(using).filter(id__in=ids).update(pending_dependencies=count)
    # A job cancelled before its dependencies completed kept its old count: reset it too.
    waiting = {str(job_id) for job_id in unfinished}
    ready = [job_id for job_id in job_ids if str(job_id) not in waiting]
    Job.objects.using(using).filter(id__in=ready).update(pending_dependencies=0)


def _cancel_if_blocked_by_unsuccessful(job_ids: list[uuid.UUID], using: str) -> None:
    """Re-cancel re-opened jobs that also depend on another job that did not succeed."""
    blockers = (
        JobDependency.objects.using(using)
        .filter(job_id__in=job_ids, depends_on__status__in=UNSUCCESSFUL_STATES)
        .values_list("depends_on_id", flat=True)
        .distinct()
    )
    for blocker in list(blockers):
        cancel_dependents(blocker, using=using)


def release_jobs(jobs: Iterable[ClaimedJob], worker_id: str, *, using: str) -> int:
    """Put running jobs back to pending without using up their attempt.

    For a worker that stops before its jobs finish (shutdown, Ctrl+C): the interrupted run
    does not count, so its execution row is removed. Returns how many were released.
    """
    released = 0
    with write_transaction(using):
        for job in jobs:
            owned = Job.objects.using(using).still_running({job.id: job.execution_id})
            # A job someone asked to stop is not put back: its lease runs out, and the
            # rescue records it cancelled.
            owned = owned.filter(cancel_requested_at__isnull=True)
            if owned.update(
                status=JobStatus.PENDING,
                attempts=F("attempts") - 1,
                worker_id=None,
                lease_expires_at=None,
                updated_at=DatabaseNow(),
            ):
                released += 1
                notify_jobs_available([job.queue], using=using)
                JobExecution.objects.using(using).filter(id=job.execution_id).delete()
    return released
