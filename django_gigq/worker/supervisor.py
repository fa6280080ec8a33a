"""The ``gigq_worker`` supervisor: claims jobs, hands them to child processes, records outcomes.

One process owns every conversation with the database: it claims jobs in batches, hands
them to idle children (short jobs several at once, in a bundle), writes the outcomes that
arrived in one transaction, renews its jobs' leases with its heartbeat, rescues jobs whose
worker died, stops children whose job ran past its timeout or was cancelled, and shuts
down gracefully on SIGTERM / SIGINT. Signal handlers only set flags; the loop acts on them.
What happens between handing jobs out and their outcomes coming back (bundles, timeouts,
dead children, cancellations) is the ``Dispatcher``'s (``dispatch.py``).
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import DatabaseError, DataError, InterfaceError, connections

from ..claim import ClaimedJob, claim_in_transaction
from ..completion import record_each, record_in_transaction, record_outcomes
from ..conf import gigq_settings
from ..db import write_transaction
from ..execution import Outcome
from ..maintenance import rescue
from ..maintenance.services import PeriodicServices
from ..states import WorkerState
from ..transitions import release_jobs
from ..wakeup import CANCEL_CHANNEL, CHANNEL
from .batching import OUTCOME_MAX_WAIT, BatchSizer
from .dispatch import Dispatcher
from .heartbeat import asked_to_stop, beat, register_worker, set_worker_state
from .listener import Listener
from .pool import Pool
from .waiting import SignalWakeup, wait_for_any

logger = logging.getLogger("django_gigq.worker")

#: Longest pause after a database error; the pause doubles from 0.1 s up to this.
MAX_RECONNECT_DELAY = 5.0


@dataclass(frozen=True)
class SupervisorOptions:
    """What ``gigq_worker``'s options ask of the supervisor."""

    worker_id: str
    using: str
    queues: Sequence[str] | None = None
    concurrency: int = 1
    polling_interval: float = 1.0
    batch: int | None = None
    burst: bool = False
    max_jobs: int | None = None
    shutdown_timeout: float = 30.0


class Supervisor:
    """Run jobs in a pool of child processes until stopped; see the module docstring."""

    def __init__(
        self, options: SupervisorOptions, on_progress: Callable[[int], None] | None = None
    ) -> None:
        self.options = options
        self.using = options.using
        self.worker_id = options.worker_id
        self.batch_sizer = BatchSizer(options.concurrency, fixed=options.batch)
        self.on_progress = on_progress
        self.processed = 0
        self.outcomes: list[Outcome] = []  # arrived, not yet written
        self.first_outcome_at = 0.0  # when the oldest of them arrived
        self.queue_maybe_empty = False
        self.cancel_check_due = False  # a cancellation was announced: look at our jobs
        self.stop_requested_at: float | None = None
        self.force_stop = False
        self.stopping_recorded = False
        self.next_heartbeat = 0.0
        self.next_rescue = 0.0
        self.services = PeriodicServices()  # schedules and pruning
        self.db_retry_at = 0.0
        self.db_retry_delay = 0.1
        self.listener = Listener(self.using) if Listener.supported(self.using) else None
        self.dispatch: Dispatcher | None = None  # set up by run(), with the children
        self.signal_wakeup = SignalWakeup()

    # -- lifecycle -----------------------------------------------------------------------

    def run(self) -> int:
        """Work until stopped (or drained, with ``burst``); return the exit code."""
        register_worker(
            self.worker_id, self.options.queues, self.options.concurrency, using=self.using
        )
        restore_signals = self._install_signal_handlers()
        # Close before starting children: spawned children share nothing, but there is no
        # reason to keep an idle connection open while they import Django.
        connections[self.using].close()
        pool = Pool(self.options.concurrency, self.using)
        self.dispatch = Dispatcher(pool, self.batch_sizer, self._outcome_arrived)
        logger.info(
            "Worker %s started: %s child process(es), queues %s",
            self.worker_id,
            self.options.concurrency,
            ", ".join(self.options.queues or ["(all)"]),
        )
        try:
            while not self._finished():
                self._step()
        finally:
            self._stop()
            restore_signals()
        return 0

    def request_stop(self) -> None:
        """Stop claiming; running jobs get the shutdown timeout. A second call stops now."""
        if self.stop_requested_at is None:
            self.stop_requested_at = time.monotonic()
            logger.info("Worker %s stopping: finishing running jobs", self.worker_id)
        else:
            self.force_stop = True
            logger.info("Worker %s stopping now: running jobs are put back", self.worker_id)

    def _finished(self) -> bool:
        if self.stop_requested_at is not None:
            # Forced: outcomes the database would not take are given up; their jobs' leases
            # run out and the rescue retries them.
            return not self.dispatch.busy and (not self.outcomes or self.force_stop)
        if self.options.max_jobs is not None and self.processed >= self.options.max_jobs:
            self.request_stop()
            return False
        drained = self.queue_maybe_empty and not self.dispatch.claimed and not self.dispatch.busy
        return self.options.burst and drained and not self.outcomes

    def _step(self) -> None:
        self._collect_messages(timeout=self._wait_time())
        self.dispatch.enforce_timeouts(time.monotonic())
        if self.stop_requested_at is not None:
            if not self.stopping_recorded:
                self._with_database(self._record_stopping)
            self._with_database(self._flush_outcomes)
            self._with_database(self._shut_down_jobs)
        else:
            # Children first: they run their next jobs while we talk to the database.
            self.dispatch.hand_out()
            self._with_database(self._flush_outcomes_and_claim)
            self.dispatch.hand_out()
        self._with_database(self._maintain)

    def _stop(self) -> None:
        if self.dispatch is not None:
            self._release(self.dispatch.shutdown())
        if self.outcomes:  # runs that ended while stopping by force: record them if we can
            try:
                self._flush_outcomes()
            except (DatabaseError, InterfaceError):
                logger.warning("Could not record %s outcome(s) while stopping", len(self.outcomes))
        if self.listener is not None:
            self.listener.close()
        try:
            set_worker_state(self.worker_id, WorkerState.STOPPED, using=self.using)
        except (DatabaseError, InterfaceError):
            logger.warning("Could not record that worker %s stopped", self.worker_id)
        connections[self.using].close()
        logger.info("Worker %s stopped after %s job(s)", self.worker_id, self.processed)

    # -- jobs ----------------------------------------------------------------------------

    def _flush_outcomes_and_claim(self) -> None:
        """Write the outcomes that arrived and claim jobs for idle children, in one transaction.

        One transaction instead of two per cycle: under load, most cycles do both. Outcomes
        alone are written once the oldest has waited ``OUTCOME_MAX_WAIT``; until then they wait
        for the next claim, so a batch's outcomes go to the database together.
        """
        wanted = self._claim_size()
        if not wanted and not self._outcomes_due(time.monotonic()):
            return
        try:
            with write_transaction(self.using):
                if self.outcomes:
                    record_in_transaction(self.outcomes, self.worker_id, using=self.using)
                jobs = []
                if wanted:
                    jobs = claim_in_transaction(
                        self.worker_id, limit=wanted, queues=self.options.queues, using=self.using
                    )
        except DataError:
            # A value the database cannot store spoilt the batch: record them one by one.
            logger.warning("The database refused a batch of outcomes; recording them one by one")
            record_each(self.outcomes, self.worker_id, using=self.using)
            self.outcomes = []
            return
        self.outcomes = []
        if wanted:
            self.dispatch.add(jobs)
            self.queue_maybe_empty = len(jobs) < wanted

    def _claim_size(self) -> int:
        """How many jobs to claim now: enough for the idle children, or a batch.

        With short jobs, the next batch is claimed while the children run the last one,
        so that it is ready when they finish instead of after they do.
        """
        idle = self.dispatch.idle_children
        if self.dispatch.claimed or not (idle or self.batch_sizer.jobs_are_short()):
            return 0
        wanted = self.batch_sizer.size(idle)
        if self.options.max_jobs is not None:
            wanted = min(wanted, self.options.max_jobs - self.processed - self.dispatch.in_children)
        return max(wanted, 0)

    def _collect_messages(self, timeout: float) -> None:
        listener = self._listening()
        extra = [source for source in (listener, self.signal_wakeup.fd) if source is not None]
        ready = wait_for_any([*self.dispatch.wait_sources(), *extra], timeout)
        if self.signal_wakeup.fd in ready:
            self.signal_wakeup.drain()  # a signal arrived: its handler set the flags
        if listener is not None and listener in ready:
            channels = self.listener.drain()
            if CHANNEL in channels:
                self.queue_maybe_empty = False
            if CANCEL_CHANNEL in channels:
                self.cancel_check_due = True
        self.dispatch.read(ready)

    def _outcome_arrived(self, outcome: Outcome) -> None:
        if not self.outcomes:
            self.first_outcome_at = time.monotonic()
        self.outcomes.append(outcome)
        self.processed += 1
        job = outcome.job
        if logger.isEnabledFor(logging.INFO):
            logger.info("Job %s (%s) %s", job.id, job.name, outcome.describe())
        if self.on_progress is not None:
            self.on_progress(self.processed)

    def _outcomes_due(self, now: float) -> bool:
        return bool(self.outcomes) and now >= self.first_outcome_at + OUTCOME_MAX_WAIT

    def _flush_outcomes(self) -> None:
        if self.outcomes:
            record_outcomes(self.outcomes, self.worker_id, using=self.using)
            self.outcomes = []

    def _record_stopping(self) -> None:
        set_worker_state(self.worker_id, WorkerState.STOPPING, using=self.using)
        self.stopping_recorded = True

    def _shut_down_jobs(self) -> None:
        """Put back what will not run: claimed jobs at once, running ones after the grace."""
        self._release(self.dispatch.take_claimed())
        grace_over = time.monotonic() >= self.stop_requested_at + self.options.shutdown_timeout
        if self.dispatch.busy and (self.force_stop or grace_over):
            self._release(self.dispatch.kill_running())  # the pool is about to stop

    def _release(self, jobs: list[ClaimedJob]) -> None:
        if not jobs:
            return
        try:
            released = release_jobs(jobs, self.worker_id, using=self.using)
        except (DatabaseError, InterfaceError):
            logger.exception("Could not put %s job(s) back; their leases will expire", len(jobs))
            return
        logger.info("Put %s unfinished job(s) back in the queue", released)

    # -- heartbeat, rescue, database errors ------------------------------------------------

    def _maintain(self) -> None:
        now = time.monotonic()
        known = self.dispatch.held_job_ids()
        if now >= self.next_heartbeat:
            self.cancel_check_due = False
            self.dispatch.stop_cancelled(beat(self.worker_id, known, using=self.using))
            self.next_heartbeat = now + gigq_settings.HEARTBEAT_INTERVAL
        elif self.cancel_check_due:
            self.cancel_check_due = False
            self.dispatch.stop_cancelled(asked_to_stop(known, using=self.using))
        if now >= self.next_rescue:
            if rescue.run_once(self.using):
                self.queue_maybe_empty = False
            self.next_rescue = now + gigq_settings.RESCUE_INTERVAL
        if self.services.run_due(self.using):
            self.queue_maybe_empty = False

    def _with_database(self, step: Callable[[], None]) -> None:
        """Run ``step``; on a database error, back off and try again later."""
        if time.monotonic() < self.db_retry_at:
            return
        try:
            step()
        except (DatabaseError, InterfaceError) as exc:
            logger.warning(
                "Database error (%s); retrying in %.1fs", exc, self.db_retry_delay, exc_info=True
            )
            connections[self.using].close()
            if self.listener is not None:
                self.listener.close()
            self.db_retry_at = time.monotonic() + self.db_retry_delay
            self.db_retry_delay = min(self.db_retry_delay * 2, MAX_RECONNECT_DELAY)
        else:
            self.db_retry_delay = 0.1

    def _listening(self) -> Listener | None:
        if self.listener is None or time.monotonic() < self.db_retry_at:
            return None
        return self.listener if self.listener.connect() else None

    def _wait_time(self) -> float:
        now = time.monotonic()
        wake_at = [self.next_heartbeat, self.next_rescue, self.services.next_due()]
        if self.db_retry_at > now:
            wake_at.append(self.db_retry_at)
        wake_at += self.dispatch.deadlines()
        if self.outcomes:
            wake_at.append(self.first_outcome_at + OUTCOME_MAX_WAIT)
        if self.stop_requested_at is not None:
            wake_at.append(self.stop_requested_at + self.options.shutdown_timeout)
        can_claim = self.dispatch.idle_children and self.stop_requested_at is None
        if can_claim and (self.dispatch.claimed or not self.queue_maybe_empty):
            return 0.0
        if can_claim:
            wake_at.append(now + self.options.polling_interval)
        return max(0.0, min(wake_at) - now)

    def _install_signal_handlers(self) -> Callable[[], None]:
        def handle(signum, frame):
            self.request_stop()

        previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
        self.signal_wakeup.install()  # so a signal ends the wait in _collect_messages at once

        def restore() -> None:
            self.signal_wakeup.uninstall()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

        return restore
