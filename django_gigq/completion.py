"""Recording how runs ended: completion, retry, failure, and what they do to dependents.

Outcomes are written in one transaction per batch. Each job's update is guarded by its
run (the job is still ``running`` the execution that reports): a run that lost its job (to
a timeout, a rescue, an operator) records nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db import DataError
from django.db.models import F, Field

from .bulk import AnyOf, ValuePerRow
from .db import DatabaseNow, database_now_plus, write_transaction
from .events import announce_completed, announce_outcome
from .execution import Outcome
from .models import Job, JobDependency, JobExecution
from .retries import retry_delay_seconds
from .states import ExecutionStatus, JobStatus
from .transitions import cancel_dependents
from .wakeup import notify_jobs_available

logger = logging.getLogger(__name__)


def record_outcomes(outcomes: Sequence[Outcome], worker_id: str, *, using: str) -> list[Outcome]:
    """Record the outcomes of ``worker_id``'s runs; return those that were recorded.

    An outcome is dropped (and logged) when its job no longer runs that execution.
    """
    with write_transaction(using):
        return record_in_transaction(outcomes, worker_id, using=using)


def record_each(outcomes: Sequence[Outcome], worker_id: str, *, using: str) -> list[Outcome]:
    """Record outcomes one transaction each; return those that were recorded.

    For a batch the database refused as a whole: one value it cannot store must not keep
    the others from being recorded. An outcome it still refuses is recorded as a failure
    of its job (not retried: the same run would end the same way).
    """
    recorded = []
    for outcome in outcomes:
        try:
            recorded += record_outcomes([outcome], worker_id, using=using)
        except DataError as exc:
            logger.error("Job %s: its outcome could not be stored: %s", outcome.job.id, exc)
            recorded += record_outcomes([outcome.refused(exc)], worker_id, using=using)
    return recorded


def record_in_transaction(
    outcomes: Sequence[Outcome], worker_id: str, *, using: str
) -> list[Outcome]:
    """Record as ``record_outcomes`` does, inside the caller's ``write_transaction``."""
    successes = [outcome for outcome in outcomes if outcome.succeeded]
    recorded, wake = _complete_many(successes, worker_id, using) if successes else ([], False)
    for outcome in outcomes:
        if outcome.succeeded:
            continue
        status = _record_unsuccessful(outcome, using)
        if status is None:
            continue
        recorded.append(outcome)
        announce_outcome(outcome, status, worker_id, using=using)
        if status == JobStatus.PENDING:
            wake = True  # the retry may be due at once
        else:  # its dependents can never run
            cancel_dependents(outcome.job.id, using=using)
    dropped = len(outcomes) - len(recorded)
    if dropped:
        _log_discarded(outcomes, recorded, worker_id)
    if wake:
        notify_jobs_available([""], using=using)
    return recorded


def _complete_many(
    outcomes: Sequence[Outcome], worker_id: str, using: str
) -> tuple[list[Outcome], bool]:
    """Record successful runs with a handful of statements, however many there are.

    Returns the outcomes recorded and whether dependents were released. This is the
    worker's hot path: one guarded update of the jobs, one of their executions and one
    lookup of their dependents, for the whole batch.
    """
    runs = {outcome.job.id: outcome.job.execution_id for outcome in outcomes}
    # Guarded like every transition out of running: a job no longer running this run
    # (rescued, timed out, cancelled) is left as it is.
    completed = (
        Job.objects.using(using)
        .still_running(runs)
        .update(
            status=JobStatus.COMPLETED,
            result=_per_row(outcomes, _job_id, _result, Job._meta.get_field("result")),
            error="",
            completed_at=DatabaseNow(),
            updated_at=DatabaseNow(),
            lease_expires_at=None,
        )
    )
    if completed == len(outcomes):
        owned = list(outcomes)
    else:  # rare: find which ones this update completed
        ours = set(Job.objects.using(using).completed_by(runs).values_list("id", flat=True))
        owned = [outcome for outcome in outcomes if outcome.job.id in ours]
    if not owned:
        return [], False
    JobExecution.objects.using(using).filter(AnyOf("pk", map(_execution_id, owned))).update(
        status=JobStatus.COMPLETED,
        completed_at=DatabaseNow(),
        duration=ValuePerRow(
            {o.job.execution_id: o.duration for o in owned}, _execution_field("duration")
        ),
        result=_per_row(owned, _execution_id, _result, _execution_field("result")),
        error="",
        exception_type="",
        traceback="",
    )
    announce_completed(owned, worker_id, using=using)
    return owned, _release_dependents([outcome.job.id for outcome in owned], using) > 0


def _execution_field(name: str) -> Field:
    return JobExecution._meta.get_field(name)


def _job_id(outcome: Outcome) -> uuid.UUID:
    return outcome.job.id


def _execution_id(outcome: Outcome) -> uuid.UUID:
    return outcome.job.execution_id


def _result(outcome: Outcome) -> Any:
    return outcome.result


def _per_row(
    outcomes: Sequence[Outcome],
    key: Callable[[Outcome], uuid.UUID],
    value: Callable[[Outcome], Any],
    output_field: Field,
) -> Any:
    """Return what to set on each outcome's row: one value for all, or a value per row."""
    values = [value(outcome) for outcome in outcomes]
    if all(v == values[0] for v in values):
        return values[0]
    return ValuePerRow(dict(zip(map(key, outcomes), values, strict=True)), output_field)


def _log_discarded(
    outcomes: Sequence[Outcome], recorded: Sequence[Outcome], worker_id: str
) -> None:
    kept = {id(outcome) for outcome in recorded}
    for outcome in outcomes:
        if id(outcome) not in kept:
            logger.warning(
                "Job %s attempt %s (run %s of worker %s) no longer runs; outcome discarded",
                outcome.job.id,
                outcome.job.attempt,
                outcome.job.execution_id,
                worker_id,
            )


def _record_unsuccessful(outcome: Outcome, using: str) -> JobStatus | None:
    """Record a run that did not succeed: a snooze, a retry, or a final failure, timeout
    or cancellation.

    Returns the job's new status, or None when the job is no longer this run's.
    """
    job = outcome.job
    owned = Job.objects.using(using).still_running({job.id: job.execution_id})
    leaving_running = {
        "error": outcome.error,
        "updated_at": DatabaseNow(),
        "lease_expires_at": None,
    }
    if outcome.snooze_seconds is not None:
        # Back to pending without using up the attempt: the claim counted it, so uncount it.
        new_status, execution_status = JobStatus.PENDING, ExecutionStatus.SNOOZED
        changed = owned.update(
            status=new_status,
            attempts=F("attempts") - 1,
            worker_id=None,
            run_after=database_now_plus(outcome.snooze_seconds),
            **leaving_running,
        )
    elif outcome.cancelled:
        new_status = execution_status = JobStatus.CANCELLED
        changed = owned.update(status=new_status, completed_at=DatabaseNow(), **leaving_running)
    elif outcome.retryable and job.attempt < job.max_attempts:
        new_status, execution_status = JobStatus.PENDING, _failed_status(outcome)
        changed = owned.update(
            status=new_status,
            worker_id=None,
            run_after=database_now_plus(_retry_delay(outcome)),
            **leaving_running,
        )
    else:
        new_status = execution_status = _failed_status(outcome)
        changed = owned.update(status=new_status, completed_at=DatabaseNow(), **leaving_running)
    if not changed:
        return None
    _finish_execution(outcome, execution_status, using)
    return new_status


def _failed_status(outcome: Outcome) -> JobStatus:
    return JobStatus.TIMEOUT if outcome.timed_out else JobStatus.FAILED


def _retry_delay(outcome: Outcome) -> float:
    if outcome.retry_delay is not None:  # the run chose it (JobType.next_retry_delay)
        return outcome.retry_delay
    job = outcome.job
    return retry_delay_seconds(job.retry_backoff, job.retry_delay, job.retry_max_delay, job.attempt)


def _finish_execution(outcome: Outcome, status: str, using: str) -> None:
    JobExecution.objects.using(using).filter(id=outcome.job.execution_id).update(
        status=status,
        completed_at=DatabaseNow(),
        duration=outcome.duration,
        result=None,
        error=outcome.error,
        exception_type=outcome.exception_type,
        traceback=outcome.traceback,
    )


def _release_dependents(job_ids: list[uuid.UUID], using: str) -> int:
    """Count the newly completed ``job_ids`` off the jobs that wait on them.

    A job waiting on two of them loses two. Returns how many jobs had their counter
    decremented. Most batches release nothing, and then this is one index lookup.
    """
    waiting = JobDependency.objects.using(using).dependents_waiting_on(job_ids)
    released = 0
    for count in set(waiting.values()):
        dependents = [job_id for job_id, n in waiting.items() if n == count]
        released += (
            Job.objects.using(using)
            .filter(AnyOf("pk", dependents))
            .pending()
            .filter(pending_dependencies__gte=count)
            .update(
                pending_dependencies=F("pending_dependencies") - count, updated_at=DatabaseNow()
            )
        )
    return released
