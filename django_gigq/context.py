"""The job context: what a running job can learn and do about its own run.

A job function that has a ``context`` parameter gets a ``JobContext``; a ``JobType`` reads
it as ``self.context``; code further down the call stack calls ``current_context()``.
Through it a job reports its progress, snoozes (runs again later without using up an
attempt), cancels itself, and reads its dependencies' results.

Progress is written by the process running the job, straight to the job's row, at most a
few times a second, and only while the run is still the job's current one.
"""

from __future__ import annotations

import math
import time
from contextvars import ContextVar
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

from .validation import storable_text

if TYPE_CHECKING:
    from .claim import ClaimedJob

#: Longest stored progress message; longer ones are cut.
PROGRESS_MESSAGE_LENGTH = 255
#: Progress reported more often than this is written once the interval has passed (or when
#: the run ends): a loop reporting every item must not become a loop of database writes.
PROGRESS_INTERVAL = 0.25
#: The reason recorded for a run stopped because someone cancelled its job.
CANCELLED_WHILE_RUNNING = "cancelled while running"
#: Longest snooze: a day. A job that needs to wait longer should be submitted with run_after.
MAX_SNOOZE_SECONDS = 86_400

_current: ContextVar[JobContext | None] = ContextVar("django_gigq_job_context", default=None)


class JobCancelled(Exception):
    """Raise it in a running job to end the job as ``cancelled``: no retry, and its
    dependents are cancelled too. ``JobContext.cancel(reason)`` raises it for you."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason or "cancelled by the job"


class JobSnoozed(Exception):
    """Raise it in a running job to run the job again after ``seconds``, without using up
    an attempt. ``JobContext.snooze(seconds)`` raises it for you."""

    def __init__(self, seconds: float) -> None:
        self.seconds = _snooze_seconds(seconds)
        super().__init__(f"snoozed for {self.seconds:g} s")


class JobContext:
    """The running job's own view of its run. Built by the worker, one per run."""

    def __init__(self, job: ClaimedJob, using: str) -> None:
        self._job = job
        self._using = using
        self._pending_progress: tuple[float, str] | None = None
        self._last_write = -math.inf
        self._cancel_requested = False

    @property
    def job_id(self) -> str:
        """The job's id, as ``JobQueue`` returns it."""
        return str(self._job.id)

    @property
    def execution_id(self) -> str:
        """The id of this run (its ``JobExecution`` row)."""
        return str(self._job.execution_id)

    @property
    def attempt(self) -> int:
        """Which attempt this run is: 1 for the first. A snoozed run does not count."""
        return self._job.attempt

    @property
    def max_attempts(self) -> int:
        """How many attempts the job has in all."""
        return self._job.max_attempts

    @property
    def name(self) -> str:
        """The job's name."""
        return self._job.name

    @property
    def queue(self) -> str:
        """The queue the job was claimed from."""
        return self._job.queue

    @cached_property
    def dependency_results(self) -> dict[str, Any]:
        """``{dependency id: its result}`` for the jobs this job waited for, in the order
        it listed them; empty for a job without dependencies."""
        from .execution import parent_results

        return parent_results(self._job.id, self._using)

    @property
    def cancel_requested(self) -> bool:
        """Whether someone cancelled the job while it runs: stop soon (return, or call
        ``cancel()``); the worker stops the run by force after ``CANCEL_GRACE_SECONDS``."""
        return self._cancel_requested

    def request_cancel(self) -> None:
        """Mark the job as asked to stop (the worker calls it; see ``cancel_requested``)."""
        self._cancel_requested = True

    def set_progress(self, fraction: float, message: str | None = None) -> None:
        """Report how far the run has got: ``fraction`` from 0 to 1, and a short message.

        Shown by ``JobQueue.get_status`` and in the admin. Calls closer together than a
        quarter of a second are combined: the latest value is written. Once someone has
        cancelled the job, reporting progress ends the run as cancelled.

        Raises:
            ValueError: ``fraction`` is not a number from 0 to 1.
            JobCancelled: the job was cancelled while running.
        """
        if self._cancel_requested:
            raise JobCancelled(CANCELLED_WHILE_RUNNING)
        self._pending_progress = (_fraction(fraction), _progress_message(message))
        if time.monotonic() - self._last_write >= PROGRESS_INTERVAL:
            self.flush_progress()

    def snooze(self, seconds: float) -> NoReturn:
        """End this run now and run the job again after ``seconds`` (at most a day).

        The attempt is not used up: the next run has the same attempt number. Does not
        return (it raises ``JobSnoozed``; let it through).
        """
        raise JobSnoozed(seconds)

    def cancel(self, reason: str = "") -> NoReturn:
        """End the job now as ``cancelled``, with ``reason``: no retry, and its dependents
        are cancelled. Does not return (it raises ``JobCancelled``; let it through)."""
        raise JobCancelled(reason)

    def flush_progress(self) -> None:
        """Write the latest progress reported, if it has not been written yet."""
        if self._pending_progress is None:
            return
        from .models import Job

        fraction, message = self._pending_progress
        self._pending_progress = None
        self._last_write = time.monotonic()
        # Only while this run is the job's current one: a run that lost its job (timed out,
        # rescued) must not write over the next run's progress.
        Job.objects.using(self._using).still_running({self._job.id: self._job.execution_id}).update(
            progress=fraction, progress_message=message
        )


def current_context() -> JobContext | None:
    """Return the context of the job running in this thread, or None outside a job."""
    return _current.get()


def activate(context: JobContext) -> Any:
    """Make ``context`` the current one; return the token ``deactivate`` takes."""
    return _current.set(context)


def deactivate(token: Any) -> None:
    """Restore the context that was current before ``activate`` returned ``token``."""
    _current.reset(token)


def _fraction(value: Any) -> float:
    return _number_between(value, 0.0, 1.0, f"progress must be a number from 0 to 1; got {value!r}")


def _progress_message(message: Any) -> str:
    if message is None:
        return ""
    if not isinstance(message, str):
        raise ValueError(f"the progress message must be a string; got {type(message).__name__}")
    return storable_text(message)[:PROGRESS_MESSAGE_LENGTH]


def _snooze_seconds(value: Any) -> float:
    return _number_between(
        value,
        0.0,
        MAX_SNOOZE_SECONDS,
        f"snooze takes 0 to {MAX_SNOOZE_SECONDS} seconds; got {value!r} "
        "(to start much later, submit a new job with run_after)",
    )


def _number_between(value: Any, low: float, high: float, error: str) -> float:
    """Return ``value`` as a float if it is a number from ``low`` to ``high``; else raise
    ``ValueError(error)``. Booleans, NaN and infinities are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(error)
    number = float(value)
    if not low <= number <= high:  # also refuses NaN
        raise ValueError(error)
    return number
