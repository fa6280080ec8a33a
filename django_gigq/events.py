"""Announcing what happened to jobs: django-gigq's signals and log lines, after commit.

The modules that change jobs call one ``announce_*`` function here inside their
transaction. It registers the announcement with ``transaction.on_commit``: a rolled-back
change announces nothing, and receivers that query the database see the change. The
callbacks are registered ``robust``: whatever goes wrong in one is logged, never raised
into the code that committed.
Log records go to loggers under ``django_gigq`` and propagate to the project's LOGGING.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.dispatch import Signal

from . import signals
from .models import Job as JobRow
from .models import PausedQueue
from .states import JobStatus

if TYPE_CHECKING:
    from .claim import ClaimedJob
    from .execution import Outcome
    from .jobs import Job

logger = logging.getLogger("django_gigq.events")

#: Sent once per committed claim, with ``jobs`` (its ``ClaimedJob`` list), ``worker_id``
#: and ``using``: for in-process counters (``metrics``), which would rather add up a batch
#: than hear of each job. Not a public signal: connect to ``signals.job_claimed``.
claimed_batch = Signal()

#: Sent once per committed batch of successful runs, with ``outcomes``, ``worker_id`` and
#: ``using``; see ``claimed_batch``.
completed_batch = Signal()


def announce_submitted(jobs: Sequence[Job], functions: Sequence[str], *, using: str) -> None:
    """Once the submission commits, send ``job_submitted`` for each job and log it.

    ``functions``: each job's function path, as submit stored it.
    """
    submitted = tuple(zip(jobs, functions, strict=True))

    def announce() -> None:
        debug = logger.isEnabledFor(logging.DEBUG)
        if not (debug or signals.job_submitted.has_listeners()):
            return  # a bulk submit with nobody listening costs nothing more
        for job, function in submitted:
            details = _job_details(job.id, job.name, function, job.queue)
            if debug:
                logger.debug("Job %s (%s) submitted to queue %s", job.id, job.name, job.queue)
            _send(signals.job_submitted, **details, using=using)

    transaction.on_commit(announce, using=using, robust=True)


def announce_claimed(jobs: Sequence[ClaimedJob], worker_id: str, *, using: str) -> None:
    """Once the claim commits, send ``claimed_batch``, and ``job_claimed`` for each job."""
    each = signals.job_claimed.has_listeners()
    if not (each or claimed_batch.has_listeners()):
        return  # the claim is the worker's hot path: nobody listening costs nothing more
    claimed = tuple(jobs)

    def announce() -> None:
        _send(claimed_batch, jobs=claimed, worker_id=worker_id, using=using)
        if each:
            for job in claimed:
                _send(
                    signals.job_claimed, **_claimed_details(job), worker_id=worker_id, using=using
                )

    transaction.on_commit(announce, using=using, robust=True)


def announce_started(job: ClaimedJob, *, using: str) -> None:
    """Send ``job_started`` now: the claim that started the job has already committed."""
    logger.debug("Job %s (%s) attempt %s started", job.id, job.name, job.attempt)
    _send(signals.job_started, **_claimed_details(job), using=using)


def announce_completed(outcomes: Sequence[Outcome], worker_id: str, *, using: str) -> None:
    """Once the batch commits, send ``completed_batch``, and ``job_completed`` for each of
    its successful runs."""
    each = signals.job_completed.has_listeners() or logger.isEnabledFor(logging.DEBUG)
    if not (each or completed_batch.has_listeners()):
        return  # the worker's hot path: a completion nobody hears of costs nothing more
    completed = tuple(outcomes)

    def announce() -> None:
        _send(completed_batch, outcomes=completed, worker_id=worker_id, using=using)
        if each:
            for outcome in completed:
                _announce_outcome(outcome, JobStatus.COMPLETED, worker_id, using)

    transaction.on_commit(announce, using=using, robust=True)


def announce_outcome(outcome: Outcome, status: str, worker_id: str, *, using: str) -> None:
    """Once the outcome commits, send ``job_completed``, ``job_retrying``, ``job_failed``
    or ``job_cancelled`` (a snooze is only logged)."""
    transaction.on_commit(
        lambda: _announce_outcome(outcome, status, worker_id, using), using=using, robust=True
    )


def _announce_outcome(outcome: Outcome, status: str, worker_id: str, using: str) -> None:
    job = outcome.job
    details = {**_claimed_details(job), "worker_id": worker_id, "using": using}
    if outcome.snooze_seconds is not None:
        logger.info("Job %s (%s) %s", job.id, job.name, outcome.error)
    elif outcome.cancelled:
        logger.info("Job %s (%s) cancelled itself: %s", job.id, job.name, outcome.error)
        _send(
            signals.job_cancelled,
            job_id=str(job.id),
            reason=outcome.error,
            cancelled_by=None,
            using=using,
        )
    elif status == JobStatus.COMPLETED:
        logger.debug("Job %s (%s) completed in %.3fs", job.id, job.name, outcome.duration)
        _send(signals.job_completed, **details, result=outcome.result, duration=outcome.duration)
    elif status == JobStatus.PENDING:
        logger.info(
            "Job %s (%s) attempt %s of %s failed, will retry: %s",
            job.id,
            job.name,
            job.attempt,
            job.max_attempts,
            outcome.error,
        )
        _send(
            signals.job_retrying,
            **details,
            error=outcome.error,
            exception_type=outcome.exception_type,
            duration=outcome.duration,
        )
    else:
        logger.error(
            "Job %s (%s) ended %s after attempt %s: %s",
            job.id,
            job.name,
            status,
            job.attempt,
            outcome.error,
        )
        _send(
            signals.job_failed,
            **details,
            status=str(status),
            error=outcome.error,
            exception_type=outcome.exception_type,
            traceback=outcome.traceback,
            duration=outcome.duration,
        )
        if outcome.interrupted:
            _finish_interrupted_task(job, using)


def _finish_interrupted_task(job: ClaimedJob, using: str) -> None:
    """Send ``django.tasks``' ``task_finished`` if the job is a task (see ``task_runner``)."""
    from .tasks_compat import AVAILABLE

    if AVAILABLE:
        from .task_runner import finish_interrupted

        finish_interrupted(job, using)


def announce_cancelled(
    job_ids: Iterable[Any], *, reason: str, cancelled_by: Any = None, using: str
) -> None:
    """Once the cancellation commits, send ``job_cancelled`` for each job and log it."""
    cancelled = [str(job_id) for job_id in job_ids]
    if not cancelled:
        return
    cause = None if cancelled_by is None else str(cancelled_by)

    def announce() -> None:
        for job_id in cancelled:
            logger.info("Job %s cancelled: %s", job_id, reason)
            _send(
                signals.job_cancelled, job_id=job_id, reason=reason, cancelled_by=cause, using=using
            )

    transaction.on_commit(announce, using=using, robust=True)


def announce_paused(queue: str, *, reason: str, paused_by: str, using: str) -> None:
    """Once the pause commits, send ``queue_paused`` and log it."""

    def announce() -> None:
        logger.warning("Queue %s paused by %s: %s", queue, paused_by or "?", reason or "-")
        _send(
            signals.queue_paused,
            sender=PausedQueue,
            queue=queue,
            reason=reason,
            paused_by=paused_by,
            using=using,
        )

    transaction.on_commit(announce, using=using, robust=True)


def announce_resumed(queue: str, *, using: str) -> None:
    """Once the resume commits, send ``queue_resumed`` and log it."""

    def announce() -> None:
        logger.warning("Queue %s resumed", queue)
        _send(signals.queue_resumed, sender=PausedQueue, queue=queue, using=using)

    transaction.on_commit(announce, using=using, robust=True)


def _job_details(job_id: Any, name: str, function: str, queue: str) -> dict[str, Any]:
    return {"job_id": str(job_id), "name": name, "function": function, "queue": queue}


def _claimed_details(job: ClaimedJob) -> dict[str, Any]:
    return {**_job_details(job.id, job.name, job.function, job.queue), "attempt": job.attempt}


def _send(signal: Signal, sender: type = JobRow, **kwargs: Any) -> None:
    # The change is committed: a failing receiver must not make its caller believe otherwise.
    for receiver, response in signal.send_robust(sender=sender, **kwargs):
        if isinstance(response, Exception):
            logger.error(
                "Receiver %r of a django-gigq signal raised for %s",
                receiver,
                _subject(kwargs),
                exc_info=response,
            )


def _subject(kwargs: dict[str, Any]) -> str:
    if "job_id" in kwargs:
        return f"job {kwargs['job_id']}"
    if "queue" in kwargs:
        return f"queue {kwargs['queue']}"
    return "a batch of jobs"
