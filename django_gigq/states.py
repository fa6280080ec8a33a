"""The job state machine: one definition of the states, and who moves a job out of each."""

from __future__ import annotations

from django.db import models


class JobStatus(models.TextChoices):
    """The six states a job can be in (GigQ's names and values).

    A pending job with ``pending_dependencies > 0`` is *blocked*; with ``run_after`` in the
    future it is *scheduled*. Neither is a state of its own: both are pending jobs that the
    claim query does not see yet.
    """

    # pending — leaves when a worker claims it (running) or someone cancels it (cancelled).
    PENDING = "pending", "Pending"
    # running — leaves by completion, failure, timeout, or a retry back to pending; only the
    # worker that owns the current attempt may move it.
    RUNNING = "running", "Running"
    # completed — final; leaves only by deletion (clear_completed).
    COMPLETED = "completed", "Completed"
    # failed — final after the last attempt; leaves only by requeue (back to pending).
    FAILED = "failed", "Failed"
    # cancelled — final; leaves only by requeue (back to pending).
    CANCELLED = "cancelled", "Cancelled"
    # timeout — final after the last attempt ran out of time; leaves only by requeue.
    TIMEOUT = "timeout", "Timeout"


#: States a job never leaves on its own.
FINAL_STATES = frozenset(
    {JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.TIMEOUT}
)

#: States a job is not done in: a unique key is held while a job is in one of them.
ACTIVE_STATES = frozenset({JobStatus.PENDING, JobStatus.RUNNING})

#: Final states that mean "did not succeed": they cancel dependents and can be requeued.
UNSUCCESSFUL_STATES = frozenset({JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.TIMEOUT})


def parse_status(value: JobStatus | str) -> JobStatus:
    """Return the ``JobStatus`` named by ``value``.

    Raises:
        ValueError: ``value`` is not one of the six statuses.
    """
    try:
        return JobStatus(value)
    except ValueError:
        valid = ", ".join(JobStatus.values)
        raise ValueError(f"unknown job status {value!r}; expected one of: {valid}") from None


class ExecutionStatus(models.TextChoices):
    """How one run of a job (a ``JobExecution``) stands or ended.

    The job's own states, but *pending*, and one more: a run that snoozed ended without
    using up its attempt; the job is pending again, to run later.
    """

    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    TIMEOUT = "timeout", "Timeout"
    SNOOZED = "snoozed", "Snoozed"


class WorkerState(models.TextChoices):
    """The states of a ``gigq_worker`` process, as its ``WorkerProcess`` row records them."""

    # running — leaves when it is asked to stop (stopping), or when its heartbeat goes
    # silent and another worker marks it dead.
    RUNNING = "running", "Running"
    # stopping — finishing its jobs after SIGTERM / SIGINT; leaves when it exits (stopped).
    STOPPING = "stopping", "Stopping"
    # stopped — final: it exited cleanly.
    STOPPED = "stopped", "Stopped"
    # dead — final: its heartbeat stopped (SIGKILL, crash, lost machine).
    DEAD = "dead", "Dead"
