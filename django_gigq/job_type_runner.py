"""Running a job whose function is a ``JobType`` subclass: the instance, its hooks, retries.

``execution.run_job`` hands over here when the job's function imports as a ``JobType``.
The instance is rebuilt from the stored params, ``on_start`` runs, then ``run``; the
child knows the attempt and ``max_attempts`` (``ClaimedJob``), so it decides here whether
the job will be retried (``on_retry``, with the delay it chose, which the completion then
uses) or has failed for good (``on_failure``, once).

A run stopped at its timeout, or whose worker died, never comes back here: its process is
killed, and the completion or the rescue records it without hooks.
"""

from __future__ import annotations

import inspect
import logging
import time
from typing import Any

from .claim import ClaimedJob
from .context import JobContext
from .exceptions import UnrunnableJob
from .execution import (
    PARENT_RESULTS,
    Outcome,
    call_function,
    check_result,
    wants_parent_results,
)
from .job_types import JobType

logger = logging.getLogger("django_gigq.job_types")


def run_job_type(job_type: type[JobType], job: ClaimedJob, context: JobContext) -> Outcome:
    """Run one attempt of ``job`` as an instance of ``job_type``; return its outcome.

    Exceptions raised by ``on_start`` or ``run`` become a failed ``Outcome``; a snooze or a
    cancellation (``JobSnoozed``, ``JobCancelled``) ends the run without hooks. Only
    ``KeyboardInterrupt`` propagates.
    """
    started = time.perf_counter()
    instance = job_type.from_params(dict(job.params))
    instance._context = context
    try:
        kwargs = _run_arguments(instance, job, context)
        instance.on_start()
        result = call_function(_run_method(instance), kwargs)
        check_result(job, result)
    except (Exception, SystemExit) as exc:
        controlled = Outcome.from_control(job, exc, time.perf_counter() - started)
        return controlled or _failed(instance, job, exc, started)
    _hook(instance.on_success, job, result)
    return Outcome(job=job, succeeded=True, result=result, duration=time.perf_counter() - started)


def _run_method(instance: JobType) -> Any:
    if type(instance).run is JobType.run and hasattr(instance, "handle"):
        return instance.handle
    return instance.run


def _run_arguments(instance: JobType, job: ClaimedJob, context: JobContext) -> dict[str, Any]:
    """The params ``run`` accepts: all of them with ``**params``, else those it names.

    ``parent_results`` (the dependencies' results) is added as for job functions.
    """
    method = _run_method(instance)
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError):
        return dict(job.params)
    parameters = signature.parameters
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        kwargs = dict(job.params)
    else:
        kwargs = {key: value for key, value in job.params.items() if key in parameters}
    if wants_parent_results(signature, job.pass_parent_results):
        results = context.dependency_results
        if results:
            kwargs[PARENT_RESULTS] = results
    try:
        signature.bind(**kwargs)
    except TypeError as exc:
        raise UnrunnableJob(
            f"params do not match {type(instance).__qualname__}.run{signature}: {exc}"
        ) from exc
    return kwargs


def _failed(instance: JobType, job: ClaimedJob, exc: BaseException, started: float) -> Outcome:
    retryable = not isinstance(exc, UnrunnableJob)
    delay = None
    if retryable and job.attempt < job.max_attempts:
        delay = _retry_delay(instance, job, exc)
        _hook(instance.on_retry, job, exc, job.attempt, delay)
    else:
        _hook(instance.on_failure, job, exc)
    return Outcome.failed_with(job, exc, time.perf_counter() - started, retry_delay=delay)


def _retry_delay(instance: JobType, job: ClaimedJob, exc: BaseException) -> float:
    try:
        delay = float(instance.next_retry_delay(job.attempt, exc))
    except Exception:
        logger.exception("%s.next_retry_delay failed; retrying at once", job.function)
        return 0.0
    return max(delay, 0.0)


def _hook(hook: Any, job: ClaimedJob, *args: Any) -> None:
    """Call a hook; what it raises is logged, and does not change how the job ended."""
    try:
        call_function(hook, {}, *args)
    except Exception:
        logger.exception(
            "Job %s (%s): %s raised; the job's outcome stands", job.id, job.name, hook.__name__
        )
