"""Rescue: give jobs whose worker died back to the queue, and mark dead workers.

A worker renews the leases of its running jobs with every heartbeat. A job whose lease
expired belongs to a worker that was killed, crashed or lost its machine: the rescue
records that attempt as failed with ``WORKER_LOST`` and retries the job, or fails it when
no attempt is left; a job someone cancelled while it ran is recorded cancelled. Every live
worker runs the rescue now and then; guarded updates make it safe for several to run it at
once.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import connections

from ..claim import CLAIMED_FIELDS, ClaimedJob
from ..completion import record_outcomes
from ..conf import gigq_settings
from ..db import DatabaseNow, database_now_plus, write_transaction
from ..execution import Outcome
from ..models import Job, WorkerProcess
from ..states import WorkerState

logger = logging.getLogger(__name__)

WORKER_LOST = (
    "worker lost: its worker stopped renewing the job's lease (killed, crashed or unreachable)"
)
#: Jobs rescued per transaction: keeps each transaction short.
BATCH_SIZE = 500


def run_once(using: str) -> int:
    """Rescue jobs with expired leases and mark silent workers dead; return jobs rescued."""
    rescued = rescue_expired(using)
    mark_silent_workers_dead(using)
    return rescued


def rescue_expired(using: str) -> int:
    """Retry (or fail) every running job whose lease expired; return how many."""
    rescued = 0
    while True:
        batch = _rescue_batch(using)
        rescued += batch
        if batch < BATCH_SIZE:
            return rescued


def _rescue_batch(using: str) -> int:
    with write_transaction(using):
        expired = Job.objects.using(using).lease_expired().order_by("lease_expires_at")
        if connections[using].features.has_select_for_update_skip_locked:
            # Two rescuers at once each take different jobs instead of waiting.
            expired = expired.select_for_update(skip_locked=True)
        fields = (*CLAIMED_FIELDS, "worker_id", "latest_execution", "cancel_requested_at")
        rows = list(expired.values(*fields)[:BATCH_SIZE])
        if not rows:
            return 0
        by_worker: dict[str, list[Outcome]] = defaultdict(list)
        for row in rows:
            job = ClaimedJob.from_row(row, row["latest_execution"])
            if row["cancel_requested_at"] is not None:  # someone cancelled it: no retry
                outcome = Outcome.stopped(job, "its worker stopped before the job did")
            else:
                outcome = Outcome.lost(job, WORKER_LOST)
            by_worker[row["worker_id"]].append(outcome)
        rescued = 0
        for worker_id, outcomes in by_worker.items():
            rescued += len(record_outcomes(outcomes, worker_id, using=using))
    if rescued:
        logger.warning("Rescued %s job(s) whose worker stopped renewing their lease", rescued)
    return rescued


def mark_silent_workers_dead(using: str) -> int:
    """Mark workers whose heartbeat is older than a lease as dead; return how many."""
    cutoff = database_now_plus(-gigq_settings.LEASE_SECONDS)
    return (
        WorkerProcess.objects.using(using)
        .silent_since(cutoff)
        .update(state=WorkerState.DEAD, stopped_at=DatabaseNow())
    )
