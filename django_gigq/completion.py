"""Recording how runs ended: completion, retry, failure, and what they do to dependents.

Outcomes are written in one transaction per batch. Each job's update is guarded by
ownership (still ``running``, same worker, same attempt): a run that lost its job (to a
timeout, a rescue, an operator) records nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db.models import F

from .db import DatabaseNow, database_now_plus, write_transaction
from .events import announce_outcome
from .execution import Outcome
from .models import Job, JobExecution
from .retries import retry_delay_seconds
from .states import JobStatus
from .transitions import cancel_dependents
from .wakeup import notify_jobs_available

logger = logging.getLogger(__name__)


def record_outcomes(outcomes: Sequence[Outcome], worker_id: str, *, using: str) -> list[Outcome]:
    """Record the outcomes of runs owned by ``worker_id``; return those that were recorded.

    An outcome is dropped (and logged) when its job is no longer this worker's running
    attempt.
    """
    with write_transaction(using):
        return record_in_transaction(outcomes, worker_id, using=using)


def record_in_transaction(
    outcomes: Sequence[Outcome], worker_id: str, *, using: str
) -> list[Outcome]:
    """Record as ``record_outcomes`` does, inside the caller's ``write_transaction``."""
    recorded = []
    wake = False
    for outcome in outcomes:
        result = _record(outcome, worker_id, using)
        if result is None:
            logger.warning(
                "Job %s attempt %s is no longer owned by %s; its outcome was discarded",
                outcome.job.id,
                outcome.job.attempt,
                worker_id,
            )
            continue
        status, made_claimable = result
        recorded.append(outcome)
        announce_outcome(outcome, status, worker_id, using=using)
        wake = wake or made_claimable
    if wake:
        notify_jobs_available([""], using=using)
    return recorded


def _record(outcome: Outcome, worker_id: str, using: str) -> tuple[JobStatus, bool] | None:
    """Record one outcome.

    Returns the job's new status and whether jobs became claimable (dependents released, a
    retry), or None when the job is no longer this run's.
    """
    job = outcome.job
    owned = Job.objects.using(using).owned_attempt(job.id, worker_id, job.attempt)
    leaving_running = {"updated_at": DatabaseNow(), "lease_expires_at": None}
    if outcome.succeeded:
        new_status = JobStatus.COMPLETED
        changed = owned.update(
            status=new_status,
            result=outcome.result,
            error="",
            completed_at=DatabaseNow(),
            **leaving_running,
        )
    elif outcome.retryable and job.attempt < job.max_attempts:
        new_status = JobStatus.PENDING
        delay = outcome.retry_delay
        if delay is None:  # else the run chose it (JobType.next_retry_delay)
            delay = retry_delay_seconds(
                job.retry_backoff, job.retry_delay, job.retry_max_delay, job.attempt
            )
        changed = owned.update(
            status=new_status,
            error=outcome.error,
            worker_id=None,
            run_after=database_now_plus(delay),
            **leaving_running,
        )
    else:
        new_status = JobStatus.TIMEOUT if outcome.timed_out else JobStatus.FAILED
        changed = owned.update(
            status=new_status,
            error=outcome.error,
            completed_at=DatabaseNow(),
            **leaving_running,
        )
    if not changed:
        return None
    _finish_execution(outcome, using)
    if new_status == JobStatus.COMPLETED:
        return new_status, _release_dependents(job.id, using) > 0
    if new_status == JobStatus.PENDING:
        return new_status, True  # the retry may be due at once
    cancel_dependents(job.id, using=using)
    return new_status, False


def _finish_execution(outcome: Outcome, using: str) -> None:
    if outcome.succeeded:
        status = JobStatus.COMPLETED
    else:
        status = JobStatus.TIMEOUT if outcome.timed_out else JobStatus.FAILED
    JobExecution.objects.using(using).filter(id=outcome.job.execution_id).update(
        status=status,
        completed_at=DatabaseNow(),
        duration=outcome.duration,
        result=outcome.result if outcome.succeeded else None,
        error=outcome.error,
        exception_type=outcome.exception_type,
        traceback=outcome.traceback,
    )


def _release_dependents(job_id, using: str) -> int:
    """Count one more completed dependency for each job waiting on ``job_id``.

    Returns how many jobs had their counter decremented.
    """
    return (
        Job.objects.using(using)
        .pending_dependents_of([job_id])
        .filter(pending_dependencies__gt=0)
        .update(pending_dependencies=F("pending_dependencies") - 1, updated_at=DatabaseNow())
    )
