"""``JobQueue``: submit jobs and look after them, with GigQ's methods and return shapes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .db import resolve_alias
from .jobs import Job
from .models import Job as JobRow
from .on_commit import submit_jobs_on_commit
from .pausing import pause_queue, paused_queue_dicts, resume_queue
from .reports import executions_of, job_dicts
from .states import JobStatus, parse_status
from .submission import submit_jobs
from .transitions import cancel_job, requeue_job
from .validation import parse_job_id, validate_int


class JobQueue:
    """The jobs stored in one Django database.

    Args:
        using: The database alias of the job tables (default: ``GIGQ["DATABASE"]``). A GigQ
            database path (``JobQueue("jobs.db")``) is accepted, with a warning, and ignored.
        initialize: Accepted for GigQ code and ignored: migrations create the tables.
    """

    def __init__(self, using: str | None = None, initialize: bool = True) -> None:
        # ``initialize`` is GigQ's; migrations create the tables here.
        self.using = resolve_alias(using)

    def submit(
        self,
        job: Job,
        *,
        on_commit: bool = False,
        unique_key: str | None = None,
        on_duplicate: str = "return",
    ) -> str:
        """Store ``job`` as pending; return its id.

        Inside a transaction the job is stored in it: a rollback leaves no job behind.
        With ``on_commit``, the job is stored only once the transaction on the job
        database commits (at once outside a transaction).

        ``unique_key`` (or ``job.unique_key``): at most one pending or running job holds a
        key. When another holds it, nothing is stored and, with ``on_duplicate="return"``
        (the default), the holder's id is returned and set as ``job.duplicate_of`` (so
        ``queue.submit(job) != job.id`` tells a duplicate); with ``"raise"``,
        ``DuplicateJob`` is raised. The caller's transaction goes on either way.

        Raises:
            DuplicateJob: the key is taken and ``on_duplicate="raise"``.
            ValueError: the job was already submitted, depends on an unknown job, or is
                otherwise invalid; or ``unique_key`` was combined with ``on_commit``.
                Nothing is stored.
        """
        if not isinstance(job, Job):
            raise TypeError(f"expected a Job object; got {type(job).__name__}")
        if unique_key is not None:
            job.unique_key = unique_key
        if on_commit:
            return self.submit_many([job], on_commit=True)[0]
        return submit_jobs([job], using=self.using, on_duplicate=on_duplicate)[0]

    def submit_many(self, jobs: Sequence[Job], *, on_commit: bool = False) -> list[str]:
        """Store ``jobs`` in one transaction, with bulk inserts; return their ids in order.

        ``on_commit`` as for ``submit``.

        Raises:
            TypeError: an item is not a ``Job``.
            ValueError: as for ``submit``, or a dependency cycle among ``jobs``. Nothing is
                stored.
        """
        jobs = list(jobs)
        for job in jobs:
            if not isinstance(job, Job):
                raise TypeError(f"expected Job objects; got {type(job).__name__}")
        if on_commit:
            if any(job.unique_key is not None for job in jobs):
                raise ValueError(
                    "unique_key cannot be combined with on_commit=True: the duplicate check "
                    "needs the database now; submit inside the transaction instead (a "
                    "rollback removes the job too)"
                )
            return submit_jobs_on_commit(jobs, using=self.using)
        return submit_jobs(jobs, using=self.using)

    def cancel(self, job_id: str) -> bool:
        """Cancel a pending job (and the jobs waiting on it); return whether it was pending."""
        return cancel_job(parse_job_id(job_id), using=self.using)

    def requeue_job(self, job_id: str) -> bool:
        """Run a failed, timed-out or cancelled job again from a fresh first attempt.

        Jobs cancelled because this one did not succeed are re-opened too. Returns whether
        the job was requeued.
        """
        return requeue_job(parse_job_id(job_id), using=self.using)

    def get_status(self, job_id: str) -> dict[str, Any]:
        """Return everything about a job, with its executions; ``{"exists": False}`` if unknown."""
        job_uuid = parse_job_id(job_id)
        found = job_dicts(JobRow.objects.using(self.using).filter(id=job_uuid))
        if not found:
            return {"exists": False}
        return {**found[0], "exists": True, "executions": executions_of(job_uuid, self.using)}

    def get_result(self, job_id: str) -> Any:
        """Return a completed job's result, or ``None`` while it has not completed.

        Raises:
            KeyError: no job has this id.
        """
        row = (
            JobRow.objects.using(self.using)
            .filter(id=parse_job_id(job_id))
            .values("status", "result")
            .first()
        )
        if row is None:
            raise KeyError(job_id)
        return row["result"] if row["status"] == JobStatus.COMPLETED else None

    def list_jobs(
        self, status: JobStatus | str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """Return up to ``limit`` jobs, newest first, optionally only those in ``status``.

        Raises:
            ValueError: ``status`` is not one of the six statuses.
        """
        validate_int("limit", limit, minimum=0)
        jobs = JobRow.objects.using(self.using).newest_first()
        if status is not None:
            jobs = jobs.with_status(parse_status(status))
        return job_dicts(jobs[:limit])

    def stats(self) -> dict[str, int]:
        """Return how many jobs are in each of the six statuses, and ``total``."""
        counts = JobRow.objects.using(self.using).count_by_status()
        return {**counts, "total": sum(counts.values())}

    def clear_completed(self, before_timestamp: datetime | str | None = None) -> int:
        """Delete completed and cancelled jobs, with their executions and dependency links.

        With ``before_timestamp`` (a datetime or ISO 8601 string), only those that finished
        before it. Returns how many jobs were deleted.
        """
        before = _parse_timestamp(before_timestamp)
        _deleted, per_model = JobRow.objects.using(self.using).clearable(before).delete()
        return per_model.get(JobRow._meta.label, 0)

    def pause(self, queue: str, reason: str = "", *, paused_by: str = "") -> bool:
        """Stop every worker from claiming ``queue``'s jobs until ``resume(queue)``.

        Jobs already running finish; pending jobs wait. Submitting to a paused queue works
        as usual. The pause is stored in the database, so it holds for every worker on
        every machine, and across restarts.

        Args:
            queue: The queue's name (it need not have jobs yet).
            reason: Why, for the people who see the pause (the admin, ``gigq paused``).
            paused_by: Who paused it.

        Returns:
            True if the queue was paused now; False if it was paused already (its first
            pause, with its reason, is kept).

        Raises:
            TypeError: ``queue``, ``reason`` or ``paused_by`` is not a str.
            ValueError: ``queue`` is empty or longer than 100 characters.
        """
        return pause_queue(queue, reason=reason, paused_by=paused_by, using=self.using)

    def resume(self, queue: str) -> bool:
        """Let workers claim ``queue``'s jobs again; return whether it was paused.

        Idle workers on PostgreSQL start on its jobs at once; elsewhere within their
        polling interval.

        Raises:
            TypeError: ``queue`` is not a str.
            ValueError: ``queue`` is empty or longer than 100 characters.
        """
        return resume_queue(queue, using=self.using)

    def paused_queues(self) -> list[dict[str, Any]]:
        """Return the paused queues, by name, as dicts: ``queue``, ``paused_at`` (ISO
        8601), ``paused_by`` and ``reason``."""
        return paused_queue_dicts(self.using)

    def close(self) -> None:
        """Do nothing: Django manages connections (GigQ's ``close`` closed its own)."""


def _parse_timestamp(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"before_timestamp must be an ISO 8601 datetime; got {value!r}")
    else:
        raise TypeError(f"before_timestamp must be a datetime or str; got {type(value).__name__}")
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed
