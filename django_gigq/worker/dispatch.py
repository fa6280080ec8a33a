"""Handing claimed jobs to the children, and turning what becomes of them into outcomes.

The supervisor claims jobs and records outcomes; between the two, the ``Dispatcher``
keeps the claimed jobs that wait for a child, hands them out in bundles, reads the
outcomes the children report, and produces an outcome itself for every run that ends
another way: past its timeout, in a child that died, or stopped after a cancellation.
A job of a bundle that never started goes back to wait for another child.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable

from ..claim import ClaimedJob
from ..conf import gigq_settings
from ..execution import Outcome
from .batching import BatchSizer
from .messages import decode_outcome
from .pool import Child, Pool

logger = logging.getLogger("django_gigq.worker")


class Dispatcher:
    """The children's side of the supervisor; see the module docstring.

    Args:
        pool: The child processes.
        batch_sizer: Sizes the bundles, and learns the run times the children report.
        on_outcome: Called with each outcome, in the order the runs ended.
    """

    def __init__(
        self, pool: Pool, batch_sizer: BatchSizer, on_outcome: Callable[[Outcome], None]
    ) -> None:
        self.pool = pool
        self.batch_sizer = batch_sizer
        self.on_outcome = on_outcome
        self.claimed: deque[ClaimedJob] = deque()  # claimed, waiting for an idle child

    # -- what the supervisor asks ------------------------------------------------------

    @property
    def idle_children(self) -> int:
        """How many children wait for a job."""
        return len(self.pool.idle)

    @property
    def busy(self) -> bool:
        """Whether a child is running jobs."""
        return bool(self.pool.busy)

    @property
    def in_children(self) -> int:
        """How many jobs the children hold, running or next in their bundles."""
        return self.pool.running

    def deadlines(self) -> list[float]:
        """When each busy child's running job is stopped (``time.monotonic()``)."""
        return [child.deadline for child in self.pool.busy]

    def wait_sources(self) -> list:
        """What to wait on for news of the children: their pipes and busy ones' exits."""
        return [
            *(child.pipe for child in self.pool.children),
            *(child.process.sentinel for child in self.pool.busy),
        ]

    def held_job_ids(self) -> list:
        """The ids of the jobs this worker holds: running, bundled, or waiting for a child."""
        return [job.id for child in self.pool.busy for job in child.jobs] + [
            job.id for job in self.claimed
        ]

    # -- jobs out --------------------------------------------------------------------------

    def add(self, jobs: Iterable[ClaimedJob]) -> None:
        """Keep newly claimed jobs until a child is free for them."""
        self.claimed.extend(jobs)

    def hand_out(self) -> None:
        """Send claimed jobs to idle children: a bundle each, of one job unless jobs are short."""
        idle = self.pool.idle
        for position, child in enumerate(idle):
            if not self.claimed:
                return
            size = self.batch_sizer.bundle_size(len(self.claimed), len(idle) - position)
            bundle = [self.claimed.popleft() for _ in range(size)]
            if logger.isEnabledFor(logging.DEBUG):
                listed = ", ".join(str(job.id) for job in bundle)
                logger.debug("Child %s runs %s job(s) next: %s", child.index, size, listed)
            try:
                child.run(bundle)
            except OSError:  # the child died between its last message and this one
                self.claimed.extendleft(reversed(bundle))
                self._child_died(child)

    # -- news back -------------------------------------------------------------------------

    def read(self, ready: list) -> None:
        """Take in what the children whose pipe is in ``ready`` sent, and notice deaths."""
        for child in list(self.pool.children):
            if child.pipe in ready:
                self._read_child(child)
        for child in list(self.pool.busy):
            if not child.process.is_alive():
                self._child_died(child)

    def _read_child(self, child: Child) -> None:
        try:
            messages = child.read()
        except (EOFError, OSError):
            if child.jobs:
                self._child_died(child)
            else:
                logger.warning("Child process %s exited; starting another", child.index)
                self.pool.replace(child)
            return
        self._take_messages(child, messages)
        self._ask_head_to_stop(child)  # the run that started next may have been cancelled

    def _take_messages(self, child: Child, messages: list) -> None:
        for message in messages:
            if self.pool.mark_ready(child, message):
                continue
            outcome, ended_at = decode_outcome(child.head, message)
            child.head_ended(ended_at)
            self.batch_sizer.observe(outcome.duration)
            self.on_outcome(outcome)

    def _child_died(self, child: Child) -> None:
        # The pipe can report the death before the process is reaped: reap it first.
        child.process.join(timeout=5)
        self._take_messages(child, child.read_to_end())  # what it reported before dying
        exit_code = child.process.exitcode
        head = self._take_down(child)
        if head is not None:
            self._lost(
                head, f"the worker's child process died while running it (exit code {exit_code})"
            )

    def _take_down(self, child: Child) -> ClaimedJob | None:
        """Replace a dead or killed child; return the job it was running, if any.

        The rest of its bundle never started: those jobs wait for the other children.
        """
        jobs = child.take_jobs()
        self.pool.replace(child)
        if not jobs:
            return None
        self.claimed.extendleft(reversed(jobs[1:]))
        return jobs[0]

    def _lost(self, job: ClaimedJob, reason: str) -> None:
        logger.error("Job %s (%s): %s", job.id, job.name, reason)
        self.on_outcome(Outcome.lost(job, reason))

    # -- stopping runs -------------------------------------------------------------------

    def enforce_timeouts(self, now: float) -> None:
        """Kill children whose job ran past its timeout, or past its grace once cancelled."""
        for child in self.pool.busy:
            if now < child.deadline:
                continue
            late, stopping, ran = child.head, child.stopping, now - child.started
            child.kill()
            # Its outcome may have been on the way: then the next job is the one cut short.
            self._take_messages(child, child.read_to_end())
            head = self._take_down(child)
            if head is None:
                continue
            if head is not late:
                self._lost(head, "its child process was stopped for another job's timeout")
            elif stopping:
                grace = gigq_settings.CANCEL_GRACE_SECONDS
                logger.warning("Job %s (%s) was cancelled: stopped by force", late.id, late.name)
                how = f"stopped by force after {grace:g} s"
                self.on_outcome(Outcome.stopped(late, how, ran))
            else:
                logger.warning(
                    "Job %s (%s) ran past its timeout of %ss: stopped",
                    late.id,
                    late.name,
                    late.timeout,
                )
                self.on_outcome(Outcome.timeout(late, ran))

    def stop_cancelled(self, job_ids: set) -> None:
        """Stop the jobs someone cancelled while this worker holds them.

        A job still waiting for a child never starts; a running one is told through its
        context, and killed if it has not ended after ``CANCEL_GRACE_SECONDS``; one later
        in a child's bundle is told when it starts.
        """
        if not job_ids:
            return
        for job in [job for job in self.claimed if job.id in job_ids]:
            self.claimed.remove(job)
            self.on_outcome(Outcome.stopped(job, "before it started"))
        for child in self.pool.busy:
            for job in child.jobs:
                if job.id in job_ids:
                    child.cancel(job.execution_id)
            self._ask_head_to_stop(child)

    def _ask_head_to_stop(self, child: Child) -> None:
        if child.ask_head_to_stop(gigq_settings.CANCEL_GRACE_SECONDS):
            job = child.head
            logger.info("Job %s (%s) was cancelled: asking it to stop", job.id, job.name)

    # -- shutting down -------------------------------------------------------------------

    def take_claimed(self) -> list[ClaimedJob]:
        """Give up the jobs no child has started; return them."""
        jobs = list(self.claimed)
        self.claimed.clear()
        return jobs

    def kill_running(self) -> list[ClaimedJob]:
        """Kill the busy children (the pool is about to stop); return their unfinished jobs.

        What they reported before dying still comes out as outcomes.
        """
        unfinished = []
        for child in self.pool.busy:
            child.kill()
            self._take_messages(child, child.read_to_end())
            unfinished += child.take_jobs()
        return unfinished

    def shutdown(self) -> list[ClaimedJob]:
        """Stop every child; return the jobs they and the waiting line still held."""
        unfinished = [job for child in self.pool.busy for job in child.jobs]
        self.pool.shutdown()
        return [*unfinished, *self.take_claimed()]
