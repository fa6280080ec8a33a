"""The named queries of django-gigq's models: every question it asks the database.

The worker, the API and the admin call these methods instead of spelling out filters of
their own, so each question is written, indexed and tested once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest, TruncMinute

from ..bulk import AnyOf
from ..db import DatabaseNow
from ..states import ACTIVE_STATES, FINAL_STATES, UNSUCCESSFUL_STATES, JobStatus, WorkerState

#: The order in which claimable jobs are handed out: priority first, then first come.
CLAIM_ORDER = ("-priority", "run_after", "id")


class JobQuerySet(models.QuerySet):
    """The named queries on jobs: every question django-gigq asks the job table."""

    def _model(self, name: str) -> type[models.Model]:
        # The other models of the app, looked up when a query needs them: they are
        # defined after this module is imported.
        return self.model._meta.apps.get_model("django_gigq", name)

    def claimable(self, queues: Sequence[str] | None = None) -> JobQuerySet:
        """Jobs a worker may start now, in claim order: pending, unblocked, due, and in a
        queue that is not paused."""
        return self.due(queues).exclude_paused()

    def due(self, queues: Sequence[str] | None = None) -> JobQuerySet:
        """Jobs that would be claimable if their queue were not paused, in claim order."""
        jobs = self.filter(
            status=JobStatus.PENDING, pending_dependencies=0, run_after__lte=DatabaseNow()
        )
        if queues:
            jobs = jobs.filter(queue__in=queues)
        return jobs.order_by(*CLAIM_ORDER)

    def exclude_paused(self) -> JobQuerySet:
        """Leave out the jobs of paused queues.

        ``queue NOT IN (SELECT queue FROM paused queues)``, in the claim's own statement, so
        a pause holds from the moment it commits. Not ``NOT EXISTS``: PostgreSQL turns that
        into an anti-join whose estimates can make it sort the backlog, while ``NOT IN`` is
        a filter (a hashed subplan, read once) on the claim index's scan in claim order.
        """
        return self.exclude(queue__in=self._model("PausedQueue").objects.values("queue"))

    def pending(self) -> JobQuerySet:
        """Pending jobs, blocked or not."""
        return self.filter(status=JobStatus.PENDING)

    def running(self) -> JobQuerySet:
        """Running jobs."""
        return self.filter(status=JobStatus.RUNNING)

    def lease_expired(self) -> JobQuerySet:
        """Running jobs whose worker stopped renewing their lease (it died or vanished)."""
        return self.filter(status=JobStatus.RUNNING, lease_expires_at__lt=DatabaseNow())

    def held_by(self, worker_id: str, job_ids: Iterable) -> JobQuerySet:
        """The given jobs, while ``worker_id`` still runs them."""
        return self.filter(AnyOf("pk", job_ids), status=JobStatus.RUNNING, worker_id=worker_id)

    def still_running(self, runs: Mapping) -> JobQuerySet:
        """The jobs of ``{job id: execution id}`` still running that execution.

        The guard of every transition out of running: a run that lost its job (to a
        timeout, a rescue, an operator, or a requeue and a new claim) matches nothing, so
        it can never overwrite a newer state.
        """
        # Execution ids are unique across jobs, so "latest run is one of these" names each
        # job's own run; the primary key keeps the lookup on its index.
        return self.filter(
            AnyOf("pk", runs),
            AnyOf("latest_execution", runs.values()),
            status=JobStatus.RUNNING,
        )

    def completed_by(self, runs: Mapping) -> JobQuerySet:
        """The jobs of ``{job id: execution id}`` that completed with that execution."""
        return self.filter(
            AnyOf("pk", runs),
            AnyOf("latest_execution", runs.values()),
            status=JobStatus.COMPLETED,
        )

    def running_for(self, worker_id: str) -> JobQuerySet:
        """Jobs that ``worker_id`` is running."""
        return self.filter(status=JobStatus.RUNNING, worker_id=worker_id)

    def with_status(self, status: JobStatus) -> JobQuerySet:
        """Jobs in ``status``."""
        return self.filter(status=status)

    def active_with_unique_keys(self, keys: Iterable[str]) -> JobQuerySet:
        """Pending or running jobs holding one of the unique ``keys``."""
        return self.filter(unique_key__in=list(keys), status__in=ACTIVE_STATES)

    def cancellable(self) -> JobQuerySet:
        """Jobs that may be cancelled: the pending ones."""
        return self.filter(status=JobStatus.PENDING)

    def stoppable(self) -> JobQuerySet:
        """Running jobs nobody has asked to stop yet."""
        return self.filter(status=JobStatus.RUNNING, cancel_requested_at__isnull=True)

    def asked_to_stop(self, job_ids: Iterable) -> JobQuerySet:
        """The running jobs among ``job_ids`` that someone asked to stop."""
        return self.filter(
            AnyOf("pk", job_ids), status=JobStatus.RUNNING, cancel_requested_at__isnull=False
        )

    def requeueable(self) -> JobQuerySet:
        """Jobs that may be requeued: failed, timed out or cancelled."""
        return self.filter(status__in=UNSUCCESSFUL_STATES)

    def unsuccessful(self) -> JobQuerySet:
        """Failed, timed-out and cancelled jobs."""
        return self.filter(status__in=UNSUCCESSFUL_STATES)

    def final(self) -> JobQuerySet:
        """Jobs in a final status: completed, failed, cancelled or timed out."""
        return self.filter(status__in=FINAL_STATES)

    def clearable(self, before: datetime | None = None) -> JobQuerySet:
        """Completed and cancelled jobs, finished before ``before`` when given."""
        jobs = self.filter(status__in=[JobStatus.COMPLETED, JobStatus.CANCELLED])
        if before is not None:
            jobs = jobs.filter(completed_at__lt=before)
        return jobs

    def finished_before(self, status: JobStatus, cutoff: datetime | Any) -> JobQuerySet:
        """Jobs in the final ``status`` that finished before ``cutoff`` (a datetime or an
        expression of database time), oldest first: served by the ``completed_at`` index."""
        return self.filter(status=status, completed_at__lt=cutoff).order_by("completed_at")

    def pending_dependents_of(self, job_ids: Iterable) -> JobQuerySet:
        """Pending jobs that depend directly on any of ``job_ids``."""
        links = (
            self._model("JobDependency")
            .objects.filter(AnyOf("depends_on", job_ids))
            .values("job_id")
        )
        return self.filter(id__in=links, status=JobStatus.PENDING)

    def cancelled_because_of(self, job_id) -> JobQuerySet:
        """Jobs cancelled because ``job_id`` (a dependency) did not succeed."""
        return self.filter(status=JobStatus.CANCELLED, cancelled_by=job_id)

    def with_unfinished_dependency_count(self) -> JobQuerySet:
        """Annotate ``unfinished_dependencies``: dependencies not completed yet."""
        unfinished = (
            self._model("JobDependency")
            .objects.filter(job=OuterRef("pk"))
            .exclude(depends_on__status=JobStatus.COMPLETED)
            .values("job")
            .annotate(n=Count("id"))
            .values("n")
        )
        return self.annotate(unfinished_dependencies=Coalesce(Subquery(unfinished), 0))

    def count_by_status(self) -> dict[str, int]:
        """Return ``{status: count}`` for every status, zero where there are none."""
        counts = dict.fromkeys(JobStatus.values, 0)
        rows = self.order_by().values_list("status").annotate(n=Count("id"))
        counts.update(rows)
        return counts

    def newest_first(self) -> JobQuerySet:
        """The jobs, newest first."""
        return self.order_by("-created_at", "-id")

    def in_queue(self, queue: str) -> JobQuerySet:
        """Jobs in ``queue``."""
        return self.filter(queue=queue)

    def for_function(self, function: str) -> JobQuerySet:
        """Jobs of ``function`` (a dotted path)."""
        return self.filter(function=function)

    def in_workflow(self, workflow_id) -> JobQuerySet:
        """Jobs of the workflow ``workflow_id``."""
        return self.filter(workflow_id=workflow_id)

    def dependencies_of(self, job_id) -> JobQuerySet:
        """Jobs that ``job_id`` waits for."""
        return self.filter(dependent_links__job_id=job_id)

    def dependents_of(self, job_id) -> JobQuerySet:
        """Jobs that wait for ``job_id``."""
        return self.filter(dependency_links__depends_on_id=job_id)

    def dependency_pairs(self, job_ids: Iterable) -> list[tuple]:
        """Return ``(job_id, depends_on_id)`` for every dependency among ``job_ids``."""
        job_ids = set(job_ids)
        links = (
            self._model("JobDependency")
            .objects.using(self.db)
            .filter(job_id__in=job_ids)
            .order_by("id")
            .values_list("job_id", "depends_on_id")
        )
        return [(job, dependency) for job, dependency in links if dependency in job_ids]

    def recent_queues(self, sample: int = 5000) -> list[str]:
        """Return the queues of the newest ``sample`` jobs, sorted.

        A ``SELECT DISTINCT`` over every job reads the whole table; the newest jobs name
        the queues in use at the cost of one short index scan.
        """
        return self._recent_values("queue", sample)

    def recent_functions(self, sample: int = 5000) -> list[str]:
        """Return the functions of the newest ``sample`` jobs, sorted (as ``recent_queues``)."""
        return self._recent_values("function", sample)

    def _recent_values(self, field: str, sample: int) -> list[str]:
        values = self.newest_first().values_list(field, flat=True)[:sample]
        return sorted(set(values))

    def count_by_queue_and_status(self) -> dict[tuple[str, str], int]:
        """Return ``{(queue, status): count}`` for the pairs that have jobs."""
        rows = self.order_by().values_list("queue", "status").annotate(n=Count("id"))
        return {(queue, status): n for queue, status, n in rows}

    def depth_by_queue(self) -> dict[tuple[str, str], int]:
        """Return ``{(queue, state): count}`` of the claimable, scheduled and running jobs.

        Read from the claim and lease indexes, however many finished jobs the table keeps.
        Blocked jobs (pending on dependencies) are left out: no index holds them apart.
        """
        now = DatabaseNow()
        unblocked = (
            self.filter(status=JobStatus.PENDING, pending_dependencies=0)
            .order_by()
            .values("queue")
            .annotate(
                claimable=Count("id", filter=Q(run_after__lte=now)),
                scheduled=Count("id", filter=Q(run_after__gt=now)),
            )
            .values_list("queue", "claimable", "scheduled")
        )
        depth = {}
        for queue, claimable, scheduled in unblocked:
            depth[queue, "claimable"] = claimable
            depth[queue, "scheduled"] = scheduled
        running = self.running().order_by().values_list("queue").annotate(n=Count("id"))
        for queue, n in running:
            depth[queue, "running"] = n
        return depth

    def finished_per_minute(self, since: datetime) -> list[tuple[datetime, str, int]]:
        """Return ``(minute, status, count)`` of the jobs that ended since ``since``.

        Completed, failed and timed-out jobs only; served by the ``completed_at`` index.
        """
        rows = (
            self.filter(
                completed_at__gte=since,
                status__in=[JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.TIMEOUT],
            )
            .annotate(minute=TruncMinute("completed_at"))
            .order_by()
            .values_list("minute", "status")
            .annotate(n=Count("id"))
        )
        return sorted(rows)

    def claimable_backlog_by_queue(self) -> dict[str, tuple[int, datetime, datetime]]:
        """Return ``{queue: (claimable jobs, claimable since, database now)}``.

        A job is claimable since the later of its ``run_after`` and its last change
        (``updated_at``): a job unblocked by its last dependency a moment ago has waited a
        moment, however long ago it was submitted. The database's clock comes along, so
        waits are measured in database time.
        """
        rows = (
            self.claimable()
            .order_by()
            .values_list("queue")
            .annotate(
                n=Count("id"),
                since=Min(Greatest("run_after", "updated_at")),
                now=Max(DatabaseNow()),
            )
        )
        return {queue: (n, since, now) for queue, n, since, now in rows}

    def oldest_claimable_by_queue(self) -> dict[str, datetime]:
        """Return ``{queue: run_after}`` of the claimable job that has waited longest."""
        rows = self.claimable().order_by().values_list("queue").annotate(oldest=Min("run_after"))
        return dict(rows)


class JobExecutionQuerySet(models.QuerySet):
    """The named queries on executions (one row per attempt of a job)."""

    def running(self) -> JobExecutionQuerySet:
        """Executions still running."""
        return self.filter(status=JobStatus.RUNNING)

    def of_job(self, job_id) -> JobExecutionQuerySet:
        """The job's executions, oldest first."""
        return self.filter(job_id=job_id).order_by("started_at", "id")

    def with_tracebacks(self) -> JobExecutionQuerySet:
        """Runs that ended with an exception and recorded its traceback."""
        return self.exclude(traceback="")

    def recent_durations_by_function(self, sample: int = 5000) -> dict[str, list[float]]:
        """Return ``{function: [seconds, ...]}`` over the newest ``sample`` finished runs.

        Ids are time-ordered (UUIDv7), so the newest runs are read from the primary key's
        index; a bounded sample keeps percentiles cheap at any table size.
        """
        rows = (
            self.filter(duration__isnull=False)
            .order_by("-id")
            .values_list("job__function", "duration")[:sample]
        )
        durations: dict[str, list[float]] = {}
        for function, duration in rows:
            durations.setdefault(function, []).append(duration)
        return durations


class JobDependencyQuerySet(models.QuerySet):
    """The named queries on dependency links."""

    def dependents_waiting_on(self, job_ids: Iterable) -> dict:
        """Return ``{dependent id: how many of job_ids it depends on}``."""
        rows = (
            self.filter(AnyOf("depends_on", job_ids))
            .order_by()
            .values_list("job_id")
            .annotate(n=Count("id"))
        )
        return dict(rows)


class WorkerProcessQuerySet(models.QuerySet):
    """The named queries on ``gigq_worker`` processes."""

    def live(self) -> WorkerProcessQuerySet:
        """Workers running or stopping (not stopped, not dead)."""
        return self.filter(state__in=[WorkerState.RUNNING, WorkerState.STOPPING])

    def count_live_by_state(self) -> dict[str, tuple[int, int]]:
        """Return ``{state: (workers, child processes)}`` of the running and stopping workers."""
        rows = (
            self.live()
            .order_by()
            .values_list("state")
            .annotate(n=Count("id"), children=Sum("concurrency"))
        )
        return {state: (n, children) for state, n, children in rows}

    def serving(self, heartbeat_since) -> WorkerProcessQuerySet:
        """Workers claiming jobs: running, with a heartbeat at or after ``heartbeat_since``."""
        return self.filter(state=WorkerState.RUNNING, last_heartbeat__gte=heartbeat_since)

    def silent_since(self, cutoff) -> WorkerProcessQuerySet:
        """Live workers whose last heartbeat is older than ``cutoff``."""
        return self.live().filter(last_heartbeat__lt=cutoff)
