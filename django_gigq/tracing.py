"""OpenTelemetry spans for submitting and running jobs (the ``otel`` extra).

A submission opens a span (kind PRODUCER) and stores its W3C trace context with the jobs;
each run opens a span (kind CONSUMER) that continues the stored context, so a job's runs
appear in the trace of the request that enqueued it, as children of its submit span.

Only ``opentelemetry-api`` is used: the project chooses the SDK, its exporters and its
sampling. Without ``opentelemetry-api`` installed both hooks are no-ops that import
nothing; with it installed, they make no span until the project sets a tracer provider.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .claim import ClaimedJob
    from .execution import Outcome
    from .jobs import Job

#: The instrumentation scope of django-gigq's spans.
TRACER_NAME = "django_gigq"


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # "opentelemetry" is a namespace package; its parent may be missing
        return False


#: Whether ``opentelemetry-api`` is installed. Read once: the check looks at the disk.
ENABLED = _installed("opentelemetry.trace")

_NO_SPAN = nullcontext(None)


def submit_span(jobs: Sequence[Job]) -> Any:
    """Return a context manager around a submission; it gives the trace context to store.

    Inside it a span ``submit <function>`` is current; it yields the W3C context (a dict
    of headers) that continues it, or None when no trace is being recorded. Without
    OpenTelemetry it is a shared ``nullcontext(None)``.
    """
    if not (ENABLED and _provider_set()):
        return _NO_SPAN
    return _submit_span(jobs)


@contextmanager
def _submit_span(jobs: Sequence[Job]) -> Iterator[dict[str, str] | None]:
    from opentelemetry import propagate, trace

    functions = {job.function_path for job in jobs}
    name = f"submit {next(iter(functions))}" if len(functions) == 1 else "submit"
    attributes: dict[str, Any] = {
        "messaging.system": "django_gigq",
        "messaging.operation.type": "send",
    }
    if len(jobs) == 1:
        attributes.update(_job_attributes(jobs[0].id, jobs[0].queue, jobs[0].function_path))
        attributes["gigq.job.name"] = jobs[0].name
    else:
        attributes["messaging.batch.message_count"] = len(jobs)
    with _tracer().start_as_current_span(
        name, kind=trace.SpanKind.PRODUCER, attributes=attributes
    ) as span:
        carrier: dict[str, str] = {}
        if span.get_span_context().is_valid:
            propagate.inject(carrier)
        yield carrier or None


def traced_execution(run: Callable[[ClaimedJob, str], Outcome]) -> Callable[..., Outcome]:
    """Decorate ``run_job``: run each job in a span that continues its stored trace context.

    The span ``run <function>`` has the job's id, queue, function, name and attempt, and
    the run's status (``completed``, ``failed``, or ``snoozed`` / ``cancelled`` when the job
    asked for it); a failed run records its exception and sets the span's status to ERROR.
    Without OpenTelemetry, ``run`` is returned as it is.
    """
    if not ENABLED:
        return run

    @functools.wraps(run)
    def traced(job: ClaimedJob, using: str) -> Outcome:
        if not _provider_set():
            return run(job, using)
        with _execution_span(job) as span:
            outcome = run(job, using)
            _describe_outcome(span, outcome)
            return outcome

    return traced


def _execution_span(job: ClaimedJob) -> Any:
    from opentelemetry import propagate, trace

    # A job stored without a context runs in the caller's (a span around an in-process
    # worker, say); extracting an empty carrier would start a new trace instead.
    parent = propagate.extract(job.trace_context) if job.trace_context else None
    attributes = {
        "messaging.system": "django_gigq",
        "messaging.operation.type": "process",
        **_job_attributes(job.id, job.queue, job.function),
        "gigq.job.name": job.name,
        "gigq.job.attempt": job.attempt,
        "gigq.job.max_attempts": job.max_attempts,
        "gigq.execution.id": str(job.execution_id),
    }
    return _tracer().start_as_current_span(
        f"run {job.function}", context=parent, kind=trace.SpanKind.CONSUMER, attributes=attributes
    )


def _describe_outcome(span: Any, outcome: Outcome) -> None:
    from opentelemetry.trace import Status, StatusCode

    if outcome.succeeded:
        span.set_attribute("gigq.execution.status", "completed")
        return
    # Asked for by the job itself (JobContext.snooze / cancel): not errors.
    if outcome.snooze_seconds is not None:
        span.set_attribute("gigq.execution.status", "snoozed")
        span.set_attribute("gigq.execution.snooze_seconds", outcome.snooze_seconds)
        return
    if outcome.cancelled:
        span.set_attribute("gigq.execution.status", "cancelled")
        span.set_attribute("gigq.execution.cancel_reason", outcome.error)
        return
    span.set_attribute("gigq.execution.status", "failed")
    span.set_attribute("gigq.execution.retryable", outcome.retryable)
    # The exception itself stayed in run_job; record what the Outcome kept of it, under the
    # names record_exception() uses.
    span.add_event(
        "exception",
        {
            "exception.type": outcome.exception_type,
            "exception.message": outcome.error,
            "exception.stacktrace": outcome.traceback,
        },
    )
    span.set_status(Status(StatusCode.ERROR, outcome.error))


def _job_attributes(job_id: Any, queue: str, function: str) -> dict[str, str]:
    return {
        "messaging.destination.name": queue,
        "gigq.job.id": str(job_id),
        "gigq.job.queue": queue,
        "gigq.job.function": function,
    }


def _provider_set() -> bool:
    """Whether the project has set a tracer provider (an SDK's, usually).

    Until it does, every span would be a no-op; making them would cost a run tens of
    microseconds for nothing.
    """
    from opentelemetry import trace

    provider = trace.get_tracer_provider()
    return not isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider))


@functools.cache
def _tracer() -> Any:
    from opentelemetry import trace

    from . import __version__

    return trace.get_tracer(TRACER_NAME, __version__)
