"""Running one claimed job in this process, and describing how it ended."""

from __future__ import annotations

import functools
import inspect
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync

from .claim import ClaimedJob
from .context import (
    CANCELLED_WHILE_RUNNING,
    JobCancelled,
    JobContext,
    JobSnoozed,
    activate,
    deactivate,
)
from .events import announce_started
from .exceptions import UnrunnableJob
from .importing import load_callable
from .job_types import is_job_type
from .models import JobDependency
from .tasks_compat import is_task
from .tracing import traced_execution
from .validation import encode_json, storable_text

PARENT_RESULTS = "parent_results"
#: The parameter a job function names to receive its ``JobContext``.
CONTEXT = "context"
logger = logging.getLogger("django_gigq.worker")

#: The ``exception_type`` recorded for an attempt whose worker died before it reported.
LOST_WORKER_TYPE = "WorkerLost"


@dataclass(frozen=True)
class Outcome:
    """How one attempt of a job ended, ready to be recorded."""

    job: ClaimedJob
    succeeded: bool
    result: Any = None
    error: str = ""
    exception_type: str = ""
    traceback: str = ""
    duration: float = 0.0
    #: False when retrying cannot help (the function cannot be imported, the params do not
    #: fit its signature, its result is not JSON): the job fails at once.
    retryable: bool = True
    #: The run was stopped because it took longer than the job's timeout.
    timed_out: bool = False
    #: Seconds before the next attempt, when the run chose them (a ``JobType``'s
    #: ``next_retry_delay``); None: the job's retry policy decides.
    retry_delay: float | None = None
    #: The run snoozed: run the job again after this many seconds, same attempt.
    snooze_seconds: float | None = None
    #: The run cancelled its job (``JobCancelled``): no retry; ``error`` says why.
    cancelled: bool = False

    def __post_init__(self) -> None:
        # Exception messages and tracebacks are whatever the job's code put in them; a NUL
        # byte in one must not make the whole batch of outcomes unstorable.
        for name in ("error", "exception_type", "traceback"):
            value = getattr(self, name)
            if value:
                object.__setattr__(self, name, storable_text(value))

    @classmethod
    def failed_with(
        cls, job: ClaimedJob, exc: BaseException, duration: float, **extra: Any
    ) -> Outcome:
        """The outcome of a run that raised ``exc``; retried unless it is ``UnrunnableJob``."""
        return cls(
            job=job,
            succeeded=False,
            error=str(exc) or type(exc).__name__,
            exception_type=f"{type(exc).__module__}.{type(exc).__qualname__}",
            traceback="".join(traceback.format_exception(exc)),
            duration=duration,
            retryable=not isinstance(exc, UnrunnableJob),
            **extra,
        )

    @classmethod
    def from_control(cls, job: ClaimedJob, exc: BaseException, duration: float) -> Outcome | None:
        """The outcome a job asked for by raising ``JobSnoozed`` or ``JobCancelled``;
        None for any other exception (a failure)."""
        if isinstance(exc, JobSnoozed):
            return cls(
                job=job,
                succeeded=False,
                error=str(exc),
                duration=duration,
                snooze_seconds=exc.seconds,
            )
        if isinstance(exc, JobCancelled):
            return cls(
                job=job, succeeded=False, error=exc.reason, duration=duration, cancelled=True
            )
        return None

    @classmethod
    def timeout(cls, job: ClaimedJob, duration: float) -> Outcome:
        """The outcome of a run stopped at its timeout."""
        return cls(
            job=job,
            succeeded=False,
            error=f"Job timed out after {job.timeout} seconds",
            exception_type="TimeoutError",
            duration=duration,
            timed_out=True,
        )

    def refused(self, exc: Exception) -> Outcome:
        """The failure to record instead of this outcome, which the database refused."""
        return Outcome(
            job=self.job,
            succeeded=False,
            error=f"the job ran, but the database refused to store its outcome: {exc}",
            exception_type=f"{type(exc).__module__}.{type(exc).__qualname__}",
            duration=self.duration,
            retryable=False,
        )

    @classmethod
    def stopped(cls, job: ClaimedJob, how: str, duration: float = 0.0) -> Outcome:
        """The outcome of a run stopped from outside because its job was cancelled."""
        return cls(
            job=job,
            succeeded=False,
            error=f"{CANCELLED_WHILE_RUNNING}: {how}",
            duration=duration,
            cancelled=True,
        )

    @classmethod
    def lost(cls, job: ClaimedJob, reason: str) -> Outcome:
        """The outcome of a run whose process died or vanished before it reported."""
        return cls(job=job, succeeded=False, error=reason, exception_type=LOST_WORKER_TYPE)

    def describe(self) -> str:
        """How the run ended, for a log line: "completed in 0.002s", "failed: ...", ..."""
        if self.succeeded:
            return f"completed in {self.duration:.3f}s"
        if self.snooze_seconds is not None:
            return self.error  # "snoozed for 5 s"
        if self.cancelled:
            return f"cancelled itself: {self.error}"
        return f"failed: {self.error}"

    @property
    def interrupted(self) -> bool:
        """Whether the run was ended from outside the function (timeout, lost worker).

        The function never returned or raised, so nothing in its process reported the end.
        """
        return self.timed_out or self.exception_type == LOST_WORKER_TYPE


@traced_execution
def run_job(job: ClaimedJob, using: str) -> Outcome:
    """Call the job's function with its params and return the outcome.

    Exceptions raised by the function become a failed ``Outcome`` (or a snoozed or
    cancelled one, for ``JobSnoozed`` and ``JobCancelled``); only ``KeyboardInterrupt``
    (the operator stopping this process) propagates.
    """
    started = time.perf_counter()
    announce_started(job, using=using)
    context = JobContext(job, using)
    token = activate(context)
    try:
        return _run(job, context, using, started)
    finally:
        deactivate(token)
        _write_last_progress(context)


def _run(job: ClaimedJob, context: JobContext, using: str, started: float) -> Outcome:
    try:
        function = load_callable(job.function)
        if is_task(function):  # a django.tasks Task: its own arguments, context and signals
            from .task_runner import run_task

            return run_task(function, job, using)
        if is_job_type(function):  # a class-based job: its instance, hooks and retries
            from .job_type_runner import run_job_type

            return run_job_type(function, job, context)
        kwargs = _keyword_arguments(function, job, context)
        result = call_function(function, kwargs)
        check_result(job, result)
    except (Exception, SystemExit) as exc:
        duration = time.perf_counter() - started
        return Outcome.from_control(job, exc, duration) or Outcome.failed_with(job, exc, duration)
    return Outcome(job=job, succeeded=True, result=result, duration=time.perf_counter() - started)


def _write_last_progress(context: JobContext) -> None:
    # Progress reported just before the end, combined with nothing since: write it now, so
    # the last value a job reported is the one it shows. It must not change the outcome.
    try:
        context.flush_progress()
    except Exception:
        logger.exception("Job %s: its last progress could not be written", context.job_id)


def _keyword_arguments(
    function: Callable[..., Any], job: ClaimedJob, context: JobContext
) -> dict[str, Any]:
    kwargs = dict(job.params)
    signature = _signature(function)
    if wants_parent_results(signature, job.pass_parent_results):
        results = context.dependency_results
        if results:  # as in GigQ, only jobs with dependencies get them
            kwargs[PARENT_RESULTS] = results
    if wants_context(signature) and CONTEXT not in kwargs:
        kwargs[CONTEXT] = context
    if signature is not None:
        try:
            signature.bind(**kwargs)
        except TypeError as exc:
            raise UnrunnableJob(
                f"params do not match the signature of {job.function}{signature}: {exc}"
            ) from exc
    return kwargs


def wants_context(signature: inspect.Signature | None) -> bool:
    """Whether a function names a ``context`` parameter (``**kwargs`` does not count)."""
    if signature is None:
        return False
    parameter = signature.parameters.get(CONTEXT)
    return parameter is not None and parameter.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )


def _signature(function: Callable[..., Any]) -> inspect.Signature | None:
    try:
        hash(function)
    except TypeError:  # a callable object that cannot be a cache key: read it each time
        return _read_signature(function)
    return _cached_signature(function)


# Read once per function: a worker runs the same few functions over and over, and
# inspecting one costs more than a short job takes to run.
@functools.lru_cache(maxsize=1024)
def _cached_signature(function: Callable[..., Any]) -> inspect.Signature | None:
    return _read_signature(function)


def _read_signature(function: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):  # some builtins have no introspectable signature
        return None


def wants_parent_results(signature: inspect.Signature | None, setting: bool | None) -> bool:
    """Return whether to pass ``parent_results``: ``setting`` when given, else whether
    the function's ``signature`` has a ``parent_results`` or ``**kwargs`` parameter."""
    if setting is not None:
        return setting
    if signature is None:
        return False
    return any(
        name == PARENT_RESULTS or parameter.kind is inspect.Parameter.VAR_KEYWORD
        for name, parameter in signature.parameters.items()
    )


def parent_results(job_id, using: str) -> dict[str, Any]:
    """Return ``{dependency id: its result}`` for a job, in the order it listed them."""
    links = (
        JobDependency.objects.using(using)
        .filter(job_id=job_id)
        .order_by("id")
        .values_list("depends_on_id", "depends_on__result")
    )
    return {str(dependency_id): result for dependency_id, result in links}


def call_function(function: Callable[..., Any], kwargs: dict[str, Any], *args: Any) -> Any:
    """Call ``function`` (sync or async) and return its result, awaited if need be."""
    if inspect.iscoroutinefunction(function):
        return async_to_sync(function)(*args, **kwargs)
    result = function(*args, **kwargs)
    if inspect.isawaitable(result):
        return async_to_sync(_await)(result)
    return result


async def _await(awaitable: Any) -> Any:
    return await awaitable


def check_result(job: ClaimedJob, result: Any) -> None:
    """Refuse a result that cannot be stored as JSON, with an ``UnrunnableJob`` error."""
    try:
        encode_json(result, "the result")
    except TypeError as exc:
        raise UnrunnableJob(
            f"{job.function} ran, but {exc}; return JSON values (dicts, lists, str, numbers)"
        ) from exc
