"""Prometheus metrics of the jobs (the ``prometheus`` extra, ``prometheus_client``).

Counters and the duration histogram are kept by receivers of django-gigq's signals, in
the process that sends each signal: submissions in the process that submits, claims and
outcomes in the worker that claims and records them. In ``gigq_worker`` that worker is the
supervisor process, which alone claims the jobs its child processes run and records how
they ended, so its counters see every run without sharing anything across processes.

Gauges (queue depth, the oldest claimable job's age, live workers) are read from the
database at each scrape, by ``DatabaseCollector``: they are the same whichever process
serves them. ``metrics_view`` serves both on a project's URL; ``gigq_worker
--metrics-port`` serves them from the worker.

``django_gigq``'s app config connects the receivers at startup when ``prometheus_client``
is installed; without it, nothing imports this module.
"""

from __future__ import annotations

import collections
import functools
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest, start_http_server

from . import signals
from .db import resolve_alias
from .events import claimed_batch, completed_batch
from .execution import LOST_WORKER_TYPE
from .models import Job, WorkerProcess

if TYPE_CHECKING:
    from .claim import ClaimedJob
    from .execution import Outcome

logger = logging.getLogger("django_gigq.metrics")

#: The labels of every job counter and of the duration histogram.
JOB_LABELS = ("queue", "function")
#: Run times from a few milliseconds to an hour: jobs span all of it.
DURATION_BUCKETS = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
)  # fmt: skip
#: The ``state`` label of ``gigq_queue_jobs``, as ``JobQuerySet.depth_by_queue`` counts them.
DEPTH_STATES = ("claimable", "scheduled", "running")

SUBMITTED = Counter(
    "gigq_jobs_submitted", "Jobs stored, counted by the process that submitted them.", JOB_LABELS
)
STARTED = Counter("gigq_jobs_started", "Runs started: jobs claimed by this worker.", JOB_LABELS)
COMPLETED = Counter("gigq_jobs_completed", "Runs that succeeded.", JOB_LABELS)
RETRIED = Counter(
    "gigq_jobs_retried",
    "Runs that failed or timed out with attempts left: the job is pending again.",
    JOB_LABELS,
)
FAILED = Counter(
    "gigq_jobs_failed",
    "Jobs that failed for good: their last run raised, or its worker was lost.",
    JOB_LABELS,
)
TIMED_OUT = Counter(
    "gigq_jobs_timed_out", "Jobs whose last run was stopped at its timeout.", JOB_LABELS
)
DURATION = Histogram(
    "gigq_job_duration_seconds",
    "How long runs took that completed, failed or timed out (runs of lost workers are left out).",
    JOB_LABELS,
    buckets=DURATION_BUCKETS,
)


def connect_receivers() -> None:
    """Count jobs in this process from django-gigq's signals (once, however often called)."""
    for signal, receiver in (
        (signals.job_submitted, _count_submitted),
        (claimed_batch, _count_started),
        (completed_batch, _count_completed),
        (signals.job_retrying, _count_retried),
        (signals.job_failed, _count_failed),
    ):
        signal.connect(receiver, dispatch_uid=f"django_gigq.metrics.{receiver.__name__}")


def _count_submitted(sender: Any, queue: str, function: str, **kwargs: Any) -> None:
    SUBMITTED.labels(queue, function).inc()


# Claims and completions come by the batch (the worker's hot path): counted per
# (queue, function) with one increment each, not one per job.


def _count_started(sender: Any, jobs: Sequence[ClaimedJob], **kwargs: Any) -> None:
    for (queue, function), n in collections.Counter((j.queue, j.function) for j in jobs).items():
        STARTED.labels(queue, function).inc(n)


def _count_completed(sender: Any, outcomes: Sequence[Outcome], **kwargs: Any) -> None:
    by_labels = collections.defaultdict(list)
    for outcome in outcomes:
        by_labels[outcome.job.queue, outcome.job.function].append(outcome.duration)
    for (queue, function), durations in by_labels.items():
        COMPLETED.labels(queue, function).inc(len(durations))
        histogram = DURATION.labels(queue, function)
        for duration in durations:
            histogram.observe(duration)


def _count_retried(sender: Any, queue: str, function: str, **kwargs: Any) -> None:
    RETRIED.labels(queue, function).inc()
    _observe_duration(queue, function, **kwargs)


def _count_failed(sender: Any, queue: str, function: str, status: str, **kwargs: Any) -> None:
    (TIMED_OUT if status == "timeout" else FAILED).labels(queue, function).inc()
    _observe_duration(queue, function, **kwargs)


def _observe_duration(
    queue: str, function: str, duration: float, exception_type: str, **kwargs: Any
) -> None:
    if exception_type != LOST_WORKER_TYPE:  # nobody measured the run of a lost worker
        DURATION.labels(queue, function).observe(duration)


class DatabaseCollector:
    """Gauges read from the job tables at each scrape, with indexed queries only.

    Args:
        using: The database alias of the job tables (default: ``GIGQ["DATABASE"]``).
        close_connection: Close this thread's connection after each scrape; for servers
            that scrape in a thread of their own, outside Django's request cycle.
    """

    def __init__(self, using: str | None = None, *, close_connection: bool = False) -> None:
        self.using = using
        self.close_connection = close_connection

    def describe(self) -> Iterable[Metric]:
        """Name the metrics without reading the database (the registry asks at register)."""
        return self._families()

    def collect(self) -> Iterator[Metric]:
        """Read the gauges; on a database error, report ``gigq_database_up 0`` alone."""
        families = self._families()
        depth, oldest, workers, children, up = families
        using = resolve_alias(self.using)
        try:
            self._read(using, depth, oldest, workers, children)
        except DatabaseError as exc:
            logger.warning("Metrics could not read the job tables: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        finally:
            if self.close_connection:
                connections[using].close()
        up.add_metric([], 1)
        yield from families

    def _families(self) -> list[GaugeMetricFamily]:
        return [
            GaugeMetricFamily(
                "gigq_queue_jobs",
                "Jobs per queue that are claimable now, scheduled for later, or running "
                "(jobs blocked on dependencies are not counted).",
                labels=["queue", "state"],
            ),
            GaugeMetricFamily(
                "gigq_queue_oldest_claimable_age_seconds",
                "Seconds the oldest claimable job of the queue has been due.",
                labels=["queue"],
            ),
            GaugeMetricFamily(
                "gigq_workers", "Live gigq_worker processes, by state.", labels=["state"]
            ),
            GaugeMetricFamily(
                "gigq_worker_children",
                "Child processes (concurrency) of the live workers, by state.",
                labels=["state"],
            ),
            GaugeMetricFamily(
                "gigq_database_up", "1 if this scrape could read the job tables, else 0."
            ),
        ]

    def _read(self, using: str, depth: Any, oldest: Any, workers: Any, children: Any) -> None:
        jobs = Job.objects.using(using)
        counts = jobs.depth_by_queue()
        for queue in sorted({queue for queue, _state in counts}):
            for state in DEPTH_STATES:
                depth.add_metric([queue, state], counts.get((queue, state), 0))
        now = timezone.now()
        for queue, due in sorted(jobs.oldest_claimable_by_queue().items()):
            oldest.add_metric([queue], max(0.0, (now - due).total_seconds()))
        live = WorkerProcess.objects.using(using).count_live_by_state()
        for state, (n, processes) in sorted(live.items()):
            workers.add_metric([state], n)
            children.add_metric([state], processes)


def scrape_registry(using: str | None = None, *, close_connection: bool = False) -> Any:
    """Return a registry of this process's counters and the database's gauges.

    With ``PROMETHEUS_MULTIPROC_DIR`` set (several processes of a web server, see
    prometheus_client's multiprocess mode), the counters are those of every process that
    writes there.
    """
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client.multiprocess import MultiProcessCollector

        MultiProcessCollector(registry)
    else:
        registry.register(REGISTRY)
    registry.register(DatabaseCollector(using, close_connection=close_connection))
    return registry


@functools.cache
def _view_registry() -> Any:
    return scrape_registry()


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Serve this process's counters and the database's gauges in Prometheus' text format.

    Mount it in the project's URLconf, behind whatever protects internal URLs::

        path("metrics/", metrics_view)
    """
    return HttpResponse(generate_latest(_view_registry()), content_type=CONTENT_TYPE_LATEST)


def start_metrics_server(port: int, addr: str = "0.0.0.0", *, using: str | None = None) -> Any:
    """Serve ``/metrics`` from a thread of this process; return the server.

    For ``gigq_worker --metrics-port``. Call ``shutdown()`` on the server to stop it.

    Raises:
        OSError: the address or port cannot be bound (in use, or not an address here).
    """
    connect_receivers()
    server, _thread = start_http_server(
        port, addr, registry=scrape_registry(using, close_connection=True)
    )
    return server
