"""The supervisor's view of its child processes: which is busy with what, until when."""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ..claim import ClaimedJob
from .child import CANCEL_SIGNAL, child_main
from .messages import READY, MessageReader, encode_bundle, send

logger = logging.getLogger("django_gigq.worker")

_spawn = multiprocessing.get_context("spawn")


@dataclass
class Child:
    """One child process and the bundle of jobs it is running, if any.

    The bundle's first job whose outcome has not arrived is its *head*: the one running,
    as far as the supervisor knows (the child may have just ended it; its outcome is on
    the way). Timeouts and cancellations apply to the head.
    """

    index: int
    process: multiprocessing.process.BaseProcess
    pipe: multiprocessing.connection.Connection
    cancel_slot: Any
    ready: bool = False
    jobs: deque[ClaimedJob] = field(default_factory=deque)
    #: When the head started, and when it is stopped by force.
    started: float = 0.0
    deadline: float = field(default=float("inf"))
    #: The head was asked to stop (its job was cancelled): at ``deadline`` it is killed.
    stopping: bool = False
    #: Runs of this bundle someone cancelled, by execution id; asked to stop as they start.
    cancelled: set[uuid.UUID] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.reader = MessageReader(self.pipe)

    @property
    def idle(self) -> bool:
        """Whether the child has started up and runs no job."""
        return self.ready and not self.jobs

    @property
    def head(self) -> ClaimedJob | None:
        """The job running, as far as the supervisor knows; None when idle."""
        return self.jobs[0] if self.jobs else None

    def run(self, jobs: list[ClaimedJob]) -> None:
        """Send ``jobs`` to the child, to run in this order; the first one's timeout starts now.

        Raises:
            OSError: the child is gone; it holds none of ``jobs``.
        """
        send(self.pipe, encode_bundle(jobs))
        self.jobs.extend(jobs)
        self._head_started(time.monotonic())

    def head_ended(self, ended_at: float) -> ClaimedJob:
        """Forget the head (its outcome arrived) and return it; the next job started at
        ``ended_at``."""
        job = self.jobs.popleft()
        self.cancelled.discard(job.execution_id)
        self._head_started(ended_at)
        return job

    def _head_started(self, at: float) -> None:
        head = self.head
        self.started = at
        self.deadline = float("inf") if head is None else at + head.timeout
        self.stopping = False

    def take_jobs(self) -> list[ClaimedJob]:
        """Forget every job of the bundle and return them, head first."""
        jobs = list(self.jobs)
        self.jobs.clear()
        self.cancelled.clear()
        self._head_started(0.0)
        return jobs

    def cancel(self, execution_id: uuid.UUID) -> None:
        """Note that the run ``execution_id`` of this bundle was cancelled."""
        self.cancelled.add(execution_id)

    def ask_head_to_stop(self, grace: float) -> bool:
        """If the head was cancelled, tell it (once); it has ``grace`` seconds to end by
        itself. Return whether it was told now."""
        head = self.head
        if head is None or self.stopping or head.execution_id not in self.cancelled:
            return False
        self.stopping = True
        self.deadline = min(self.deadline, time.monotonic() + grace)
        self.cancel_slot.raw = head.execution_id.bytes  # which run the signal is for
        try:
            os.kill(self.process.pid, CANCEL_SIGNAL)
        except ProcessLookupError:
            pass  # it died meanwhile; the supervisor notices
        return True

    def read(self) -> list[Any]:
        """Return the messages that arrived (``MessageReader.read``)."""
        return self.reader.read()

    def read_to_end(self) -> list[Any]:
        """Return the messages a dead child left in its pipe.

        Without waiting: a process the job forked may still hold the pipe open.
        """
        os.set_blocking(self.reader.fd, False)
        messages = []
        try:
            while True:
                messages += self.reader.read()
        except (EOFError, OSError):
            return messages

    def kill(self) -> None:
        """Stop the child at once: a job past its timeout cannot be asked nicely."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class Pool:
    """A fixed number of child processes; a child that dies or is killed is replaced."""

    def __init__(self, size: int, using: str) -> None:
        self.using = using
        self.children = [self._start(index) for index in range(size)]

    def _start(self, index: int) -> Child:
        parent_end, child_end = _spawn.Pipe()
        cancel_slot = _spawn.RawArray("c", 16)
        process = _spawn.Process(
            target=child_main,
            args=(child_end, self.using, cancel_slot),
            name=f"gigq-child-{index}",
            daemon=True,
        )
        process.start()
        child_end.close()
        return Child(index=index, process=process, pipe=parent_end, cancel_slot=cancel_slot)

    def replace(self, child: Child) -> None:
        """Kill ``child`` if it still runs, and start a fresh one in its place."""
        child.kill()
        child.pipe.close()
        self.children[child.index] = self._start(child.index)

    def mark_ready(self, child: Child, message: object) -> bool:
        """Handle a child's first message; return whether it was the ready signal."""
        if message == READY and not child.ready:
            child.ready = True
            return True
        return False

    @property
    def idle(self) -> list[Child]:
        """The children ready for a job."""
        return [child for child in self.children if child.idle]

    @property
    def busy(self) -> list[Child]:
        """The children running jobs."""
        return [child for child in self.children if child.jobs]

    @property
    def running(self) -> int:
        """How many jobs the children hold, running or next in their bundles."""
        return sum(len(child.jobs) for child in self.children)

    def shutdown(self) -> None:
        """Ask idle children to exit and kill the rest."""
        for child in self.children:
            try:
                if not child.jobs and child.process.is_alive():
                    send(child.pipe, None)
            except OSError:
                pass
        deadline = time.monotonic() + 5
        for child in self.children:
            child.process.join(timeout=max(0.0, deadline - time.monotonic()))
            child.kill()
            child.pipe.close()
