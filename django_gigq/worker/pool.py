"""The supervisor's view of its child processes: which is busy with what, until when."""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from dataclasses import dataclass, field

from ..claim import ClaimedJob
from .child import CANCEL_SIGNAL, child_main
from .messages import READY, encode_job

logger = logging.getLogger("django_gigq.worker")

_spawn = multiprocessing.get_context("spawn")


@dataclass
class Child:
    """One child process and the job it is running, if any."""

    index: int
    process: multiprocessing.process.BaseProcess
    pipe: multiprocessing.connection.Connection
    ready: bool = False
    job: ClaimedJob | None = None
    started: float = 0.0
    deadline: float = field(default=float("inf"))
    #: The job was cancelled while running: at ``deadline`` it is stopped by force.
    stopping: bool = False

    @property
    def idle(self) -> bool:
        """Whether the child has started up and runs no job."""
        return self.ready and self.job is None

    def ask_to_stop(self, grace: float) -> None:
        """Tell the job it was cancelled; it has ``grace`` seconds to end by itself."""
        self.stopping = True
        self.deadline = min(self.deadline, time.monotonic() + grace)
        try:
            os.kill(self.process.pid, CANCEL_SIGNAL)
        except ProcessLookupError:
            pass  # it died meanwhile; the supervisor notices

    def run(self, job: ClaimedJob) -> None:
        """Send ``job`` to the child; its timeout starts now."""
        self.job = job
        self.started = time.monotonic()
        self.deadline = self.started + job.timeout
        self.pipe.send(encode_job(job))

    def finish(self) -> ClaimedJob | None:
        """Forget the current job (its outcome arrived); return it."""
        job, self.job, self.deadline = self.job, None, float("inf")
        self.stopping = False
        return job

    def kill(self) -> None:
        """Stop the child at once: a job past its timeout cannot be asked nicely."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.pipe.close()


class Pool:
    """A fixed number of child processes; a child that dies or is killed is replaced."""

    def __init__(self, size: int, using: str) -> None:
        self.using = using
        self.children = [self._start(index) for index in range(size)]

    def _start(self, index: int) -> Child:
        parent_end, child_end = _spawn.Pipe()
        process = _spawn.Process(
            target=child_main,
            args=(child_end, self.using),
            name=f"gigq-child-{index}",
            daemon=True,
        )
        process.start()
        child_end.close()
        return Child(index=index, process=process, pipe=parent_end)

    def replace(self, child: Child) -> None:
        """Kill ``child`` if it still runs, and start a fresh one in its place."""
        child.kill()
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
        """The children running a job."""
        return [child for child in self.children if child.job is not None]

    def shutdown(self) -> None:
        """Ask idle children to exit and kill the rest."""
        for child in self.children:
            try:
                if child.job is None and child.process.is_alive():
                    child.pipe.send(None)
            except OSError:
                pass
        deadline = time.monotonic() + 5
        for child in self.children:
            child.process.join(timeout=max(0.0, deadline - time.monotonic()))
            child.kill()
