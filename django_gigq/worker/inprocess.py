"""``Worker``: run jobs in this process, as GigQ's worker does (embedding, tests, scripts)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Sequence

from django.db import close_old_connections, connections

from ..claim import claim_jobs
from ..completion import record_outcomes
from ..db import resolve_alias
from ..execution import run_job
from ..transitions import release_jobs
from ..validation import validate_int
from .heartbeat import LeaseKeeper

logger = logging.getLogger("django_gigq.worker")


def default_worker_id() -> str:
    """Return an id unique to this process: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Claim jobs and run them in this process, one at a time per thread.

    Args:
        using: The database alias of the job tables (a GigQ database path is accepted, with
            a warning, and ignored).
        worker_id: Recorded on every job it runs; unique per process by default.
        polling_interval: Seconds to wait when no job is claimable.
        concurrency: Threads running jobs side by side (``start`` only).
        queues: The queues to take jobs from (default: all).
    """

    def __init__(
        self,
        using: str | None = None,
        worker_id: str | None = None,
        polling_interval: float = 5,
        concurrency: int = 1,
        queues: Sequence[str] | None = None,
    ) -> None:
        self.using = resolve_alias(using)
        self.worker_id = worker_id or default_worker_id()
        self.polling_interval = float(polling_interval)
        if self.polling_interval < 0:
            raise ValueError(f"polling_interval must be >= 0; got {polling_interval}")
        self.concurrency = validate_int("concurrency", concurrency, minimum=1)
        if isinstance(queues, str):
            queues = [queues]
        self.queues = list(queues) if queues else None
        self._stopping = threading.Event()
        self._local = threading.local()

    @property
    def current_job_id(self) -> str | None:
        """The id of the job this thread is running, or None (GigQ's property)."""
        return getattr(self._local, "job_id", None)

    @property
    def running(self) -> bool:
        """Whether ``start()`` is running and has not been asked to stop."""
        return not self._stopping.is_set()

    def process_one(self, worker_id: str | None = None) -> bool:
        """Claim one job and run it here; return whether there was a job to run.

        Returns True whether the job succeeded or failed (as GigQ does).
        """
        worker_id = worker_id or self.worker_id
        claimed = claim_jobs(worker_id, limit=1, queues=self.queues, using=self.using)
        if not claimed:
            return False
        job = claimed[0]
        logger.debug("Running job %s (%s) attempt %s", job.id, job.name, job.attempt)
        self._local.job_id = str(job.id)
        try:
            with LeaseKeeper(worker_id, job.id, using=self.using):
                outcome = run_job(job, self.using)
        except KeyboardInterrupt:
            # The operator stopped us mid-job: put it back without using up the attempt.
            release_jobs([job], worker_id, using=self.using)
            raise
        finally:
            self._local.job_id = None
        record_outcomes([outcome], worker_id, using=self.using)
        log = logger.info if outcome.succeeded else logger.warning
        log("Job %s (%s) %s", job.id, job.name, outcome.describe())
        return True

    def start(self) -> None:
        """Process jobs until ``stop()`` is called (or SIGINT / SIGTERM, in the main thread).

        A running job is always finished before the worker stops.
        """
        self._stopping.clear()
        restore = self._install_signal_handlers()
        try:
            if self.concurrency == 1:
                self._loop(self.worker_id)
            else:
                threads = [
                    threading.Thread(
                        target=self._thread_loop, args=(f"{self.worker_id}-{i}",), daemon=True
                    )
                    for i in range(self.concurrency)
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
        finally:
            restore()

    def stop(self) -> None:
        """Ask ``start()`` to return once the jobs now running have finished."""
        self._stopping.set()

    def close(self) -> None:
        """Close this thread's database connection (GigQ's method; Django reopens it)."""
        connections[self.using].close()

    def run(self, *, burst: bool = False, max_jobs: int | None = None) -> int:
        """Process jobs in this thread until stopped; return how many were processed.

        Args:
            burst: Return as soon as no job is claimable.
            max_jobs: Return after this many jobs.
        """
        return self._loop(self.worker_id, burst=burst, max_jobs=max_jobs)

    def _loop(self, worker_id: str, *, burst: bool = False, max_jobs: int | None = None) -> int:
        processed = 0
        while not self._stopping.is_set() and (max_jobs is None or processed < max_jobs):
            try:
                worked = self.process_one(worker_id)
            except Exception:
                if burst:
                    raise  # a drain that cannot reach its database must not report success
                logger.exception("Worker %s could not process a job; retrying", worker_id)
                close_old_connections()
                worked = False
            if worked:
                processed += 1
                continue
            if burst:
                break
            close_old_connections()
            self._stopping.wait(self.polling_interval)
        return processed

    def _thread_loop(self, worker_id: str) -> None:
        try:
            self._loop(worker_id)
        finally:
            connections.close_all()

    def _install_signal_handlers(self):
        if threading.current_thread() is not threading.main_thread():
            return lambda: None

        def handle(signum, frame):
            name = signal.Signals(signum).name
            logger.info("Received %s; finishing running jobs, then stopping", name)
            self.stop()

        previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

        return restore
