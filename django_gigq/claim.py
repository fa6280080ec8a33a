"""Claiming: hand each claimable job to exactly one worker.

PostgreSQL, MySQL and MariaDB lock the chosen rows with ``FOR UPDATE SKIP LOCKED``, so
concurrent workers pass over each other's rows instead of waiting. SQLite has no row locks
(Django silently drops ``FOR UPDATE``), so there the claim runs in a transaction that holds
the database's write lock from its first statement (``db.write_transaction``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connections
from django.db.models import F

from .bulk import AnyOf, ValuePerRow, insert_rows
from .conf import gigq_settings
from .db import DatabaseNow, uuid7, write_transaction
from .events import announce_claimed
from .models import Job, JobExecution
from .states import ExecutionStatus, JobStatus


@dataclass(frozen=True)
class ClaimedJob:
    """What a worker needs to run one attempt of a job it now owns."""

    id: uuid.UUID
    execution_id: uuid.UUID
    name: str
    function: str
    params: dict[str, Any]
    queue: str
    attempt: int
    max_attempts: int
    timeout: int
    retry_delay: int
    retry_backoff: str
    retry_max_delay: int | None
    pass_parent_results: bool | None
    #: The W3C trace context of the code that submitted the job (see ``tracing``), or None.
    trace_context: dict[str, str] | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any], execution_id: uuid.UUID) -> ClaimedJob:
        """Build from a ``values(*CLAIMED_FIELDS)`` row of a running job."""
        fields = {name: row[name] for name in CLAIMED_FIELDS}
        fields["attempt"] = fields.pop("attempts")
        return cls(execution_id=execution_id, **fields)


#: Passed to ``ValuePerRow`` as is: building a field per claim costs more than the rest.
_LATEST_EXECUTION = Job._meta.get_field("latest_execution")

CLAIMED_FIELDS = (
    "id",
    "name",
    "function",
    "params",
    "queue",
    "attempts",
    "max_attempts",
    "timeout",
    "retry_delay",
    "retry_backoff",
    "retry_max_delay",
    "pass_parent_results",
    "trace_context",
)


def claim_jobs(
    worker_id: str, *, limit: int = 1, queues: Sequence[str] | None = None, using: str
) -> list[ClaimedJob]:
    """Claim up to ``limit`` claimable jobs for ``worker_id``, in claim order.

    Each claimed job is ``running``, owned by ``worker_id``, with its attempt counted and an
    execution row recording the start; all of it commits before this returns.
    """
    with write_transaction(using):
        return claim_in_transaction(worker_id, limit=limit, queues=queues, using=using)


def claim_in_transaction(
    worker_id: str, *, limit: int, queues: Sequence[str] | None, using: str
) -> list[ClaimedJob]:
    """Claim as ``claim_jobs`` does, inside the caller's ``write_transaction``."""
    candidates = Job.objects.using(using).claimable(queues)
    if connections[using].features.has_select_for_update_skip_locked:
        # Lock the rows we take; rows another worker has locked are skipped, not waited on.
        candidates = candidates.select_for_update(skip_locked=True)
    # Without row locks (SQLite), the caller's BEGIN IMMEDIATE transaction holds the
    # database's write lock: nobody can claim between our read and our update.
    return _start(_candidate_rows(candidates, limit), worker_id, using)


def _candidate_rows(candidates, limit: int) -> list[dict[str, Any]]:
    # Read everything the worker needs now, under the lock: the rows cannot change before
    # our UPDATE, so there is no second SELECT after it. The database's clock comes along,
    # to stamp the start of every job of the batch.
    return list(candidates.values(*CLAIMED_FIELDS, now=DatabaseNow())[:limit])


def _start(rows: list[dict[str, Any]], worker_id: str, using: str) -> list[ClaimedJob]:
    if not rows:
        return []
    now = rows[0]["now"]
    claimed = [
        ClaimedJob.from_row({**row, "attempts": row["attempts"] + 1}, uuid7()) for row in rows
    ]
    started = (
        Job.objects.using(using)
        .filter(AnyOf("pk", [job.id for job in claimed]))
        .pending()
        .update(
            status=JobStatus.RUNNING,
            worker_id=worker_id,
            attempts=F("attempts") + 1,
            latest_execution=ValuePerRow(
                {job.id: job.execution_id for job in claimed}, _LATEST_EXECUTION
            ),
            progress=None,
            progress_message="",
            cancel_requested_at=None,
            started_at=now,
            updated_at=now,
            lease_expires_at=now + timedelta(seconds=gigq_settings.LEASE_SECONDS),
        )
    )
    if started != len(rows):  # impossible while the rows are locked; never hand out a job twice
        raise RuntimeError(f"claimed {started} of {len(rows)} locked jobs; claim aborted")
    insert_rows(
        JobExecution,
        [{"id": job.execution_id, "job": job.id, "attempt": job.attempt} for job in claimed],
        same={
            "worker_id": worker_id,
            "status": ExecutionStatus.RUNNING,
            "started_at": now,
            "error": "",
            "exception_type": "",
            "traceback": "",
        },
        using=using,
    )
    announce_claimed(claimed, worker_id, using=using)
    return claimed
