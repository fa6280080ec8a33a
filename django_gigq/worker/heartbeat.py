"""A worker's presence in the database: its ``WorkerProcess`` row and its jobs' leases."""

from __future__ import annotations

import os
import socket
from collections.abc import Collection, Sequence

from ..conf import gigq_settings
from ..db import DatabaseNow, database_now_plus
from ..models import Job, WorkerProcess
from ..states import WorkerState


def register_worker(
    worker_id: str, queues: Sequence[str] | None, concurrency: int, *, using: str
) -> WorkerProcess:
    """Record that this process now works as ``worker_id``."""
    return WorkerProcess.objects.using(using).create(
        id=worker_id,
        hostname=socket.gethostname(),
        pid=os.getpid(),
        queues=list(queues or []),
        concurrency=concurrency,
        state=WorkerState.RUNNING,
        started_at=DatabaseNow(),
        last_heartbeat=DatabaseNow(),
    )


def beat(worker_id: str, job_ids: Collection, *, using: str) -> None:
    """Record that ``worker_id`` is alive, and extend the leases of the jobs it runs.

    Only the jobs the worker knows it runs are renewed: a job claimed in a transaction whose
    answer was lost (the connection dropped at COMMIT) lets its lease run out and is rescued.
    """
    WorkerProcess.objects.using(using).filter(id=worker_id).update(last_heartbeat=DatabaseNow())
    if job_ids:
        Job.objects.using(using).held_by(worker_id, job_ids).update(
            lease_expires_at=database_now_plus(gigq_settings.LEASE_SECONDS)
        )


def set_worker_state(worker_id: str, state: WorkerState, *, using: str) -> None:
    """Record a worker's new state (stopping, stopped)."""
    changes = {"state": state, "last_heartbeat": DatabaseNow()}
    if state == WorkerState.STOPPED:
        changes["stopped_at"] = DatabaseNow()
    WorkerProcess.objects.using(using).filter(id=worker_id).update(**changes)
