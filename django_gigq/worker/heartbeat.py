"""A worker's presence in the database: its ``WorkerProcess`` row and its jobs' leases."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Collection, Sequence

from django.db import DatabaseError, connections

from ..conf import gigq_settings
from ..db import DatabaseNow, database_now_plus, write_transaction
from ..models import Job, WorkerProcess
from ..states import WorkerState

logger = logging.getLogger("django_gigq.worker")


def register_worker(
    worker_id: str, queues: Sequence[str] | None, concurrency: int, *, using: str
) -> None:
    """Record that this process now works as ``worker_id``.

    An id may be reused once its previous worker has stopped or been marked dead.

    Raises:
        ValueError: a live worker already uses ``worker_id``.
    """
    fields = {
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
        "queues": list(queues or []),
        "concurrency": concurrency,
        "state": WorkerState.RUNNING,
        "started_at": DatabaseNow(),
        "last_heartbeat": DatabaseNow(),
        "stopped_at": None,
    }
    # write_transaction: on SQLite a deferred transaction that reads, then writes fails at
    # once ("database is locked") when another worker wrote in between.
    with write_transaction(using):
        workers = WorkerProcess.objects.using(using)
        live = workers.live().filter(id=worker_id).values("hostname", "pid").first()
        if live is not None:
            raise ValueError(
                f"worker id {worker_id!r} is in use by a live worker ({live['hostname']}, "
                f"pid {live['pid']}); give each worker its own --worker-id, or leave it unset"
            )
        if not workers.filter(id=worker_id).update(**fields):
            workers.create(id=worker_id, **fields)


def beat(worker_id: str, job_ids: Collection, *, using: str) -> set:
    """Record that ``worker_id`` is alive, and extend the leases of the jobs it runs.

    Only the jobs the worker knows it runs are renewed: a job claimed in a transaction whose
    answer was lost (the connection dropped at COMMIT) lets its lease run out and is rescued.
    Returns the ids of those jobs that someone asked to stop.
    """
    WorkerProcess.objects.using(using).filter(id=worker_id).update(last_heartbeat=DatabaseNow())
    renew_leases(worker_id, job_ids, using=using)
    return asked_to_stop(job_ids, using=using)


def asked_to_stop(job_ids: Collection, *, using: str) -> set:
    """Return the ids of the running jobs among ``job_ids`` that someone asked to stop."""
    if not job_ids:
        return set()
    return set(Job.objects.using(using).asked_to_stop(job_ids).values_list("id", flat=True))


def renew_leases(worker_id: str, job_ids: Collection, *, using: str) -> int:
    """Extend the leases of the given jobs while ``worker_id`` runs them; return how many."""
    if not job_ids:
        return 0
    return (
        Job.objects.using(using)
        .held_by(worker_id, job_ids)
        .update(lease_expires_at=database_now_plus(gigq_settings.LEASE_SECONDS))
    )


class LeaseKeeper:
    """Renew one job's lease from a background thread while the job runs in this one.

    For the in-process ``Worker``, which has no supervisor to beat for it: without this, a
    job running longer than a lease would be rescued by another worker while it still runs.
    """

    def __init__(self, worker_id: str, job_id, *, using: str) -> None:
        self.worker_id = worker_id
        self.job_id = job_id
        self.using = using
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._renew, daemon=True, name="gigq-lease")

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        self._thread.join()

    def _renew(self) -> None:
        try:
            while not self._done.wait(gigq_settings.HEARTBEAT_INTERVAL):
                try:
                    renew_leases(self.worker_id, [self.job_id], using=self.using)
                except DatabaseError:
                    logger.warning("Could not renew the lease of job %s", self.job_id)
        finally:
            connections[self.using].close()


def set_worker_state(worker_id: str, state: WorkerState, *, using: str) -> None:
    """Record a worker's new state (stopping, stopped)."""
    changes = {"state": state, "last_heartbeat": DatabaseNow()}
    if state == WorkerState.STOPPED:
        changes["stopped_at"] = DatabaseNow()
    WorkerProcess.objects.using(using).filter(id=worker_id).update(**changes)
