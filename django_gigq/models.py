"""Jobs, their executions, their dependencies and their workflows.

Every question the system asks the database is a named QuerySet method here: the worker,
the API and the admin call these instead of spelling out filters of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Case, Count, F, Max, Min, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, TruncMinute

from .bulk import AnyOf
from .db import DatabaseNow, uuid7
from .indexes import ActiveUniqueConstraint, PartialIndex
from .retries import RetryBackoff
from .states import (
    ACTIVE_STATES,
    FINAL_STATES,
    UNSUCCESSFUL_STATES,
    ExecutionStatus,
    JobStatus,
    WorkerState,
)

#: The order in which claimable jobs are handed out: priority first, then first come.
CLAIM_ORDER = ("-priority", "run_after", "id")


class JobQuerySet(models.QuerySet):
    """The named queries on jobs: every question django-gigq asks the job table."""

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
        return self.exclude(queue__in=PausedQueue.objects.values("queue"))

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
        links = JobDependency.objects.filter(AnyOf("depends_on", job_ids)).values("job_id")
        return self.filter(id__in=links, status=JobStatus.PENDING)

    def cancelled_because_of(self, job_id) -> JobQuerySet:
        """Jobs cancelled because ``job_id`` (a dependency) did not succeed."""
        return self.filter(status=JobStatus.CANCELLED, cancelled_by=job_id)

    def with_unfinished_dependency_count(self) -> JobQuerySet:
        """Annotate ``unfinished_dependencies``: dependencies not completed yet."""
        unfinished = (
            JobDependency.objects.filter(job=OuterRef("pk"))
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
            JobDependency.objects.using(self.db)
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


class Workflow(models.Model):
    """A named group of jobs submitted together, with dependencies between them."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    name = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def status_counts(self) -> dict[str, int]:
        """Return how many of this workflow's jobs are in each status."""
        return self.jobs.count_by_status()


class Job(models.Model):
    """A unit of work: a function to call with JSON params, and everything about its runs."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    name = models.CharField(max_length=255)
    function = models.CharField(max_length=255, help_text="Dotted import path of the callable.")
    params = models.JSONField(default=dict, blank=True)
    queue = models.CharField(max_length=100, default="default")
    priority = models.IntegerField(default=0, help_text="Higher runs first.")
    description = models.TextField(blank=True, default="")
    unique_key = models.CharField(  # noqa: DJ001 - None: no key, distinct from ""
        max_length=255,
        null=True,
        blank=True,
        help_text="At most one pending or running job holds a given key.",
    )
    # The key while the job is pending or running, NULL once final: MariaDB and MySQL have
    # no partial unique index, and NULLs never collide in a unique one. Computed by the
    # database, so no transition has to maintain it.
    active_unique_key = models.GeneratedField(
        expression=Case(
            When(status__in=sorted(ACTIVE_STATES), then=F("unique_key")),
            default=Value(None),
        ),
        output_field=models.CharField(max_length=255, null=True),
        db_persist=True,
    )

    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0, help_text="Runs started so far.")
    max_attempts = models.PositiveIntegerField(default=3)
    timeout = models.PositiveIntegerField(default=300, help_text="Seconds one run may take.")
    retry_delay = models.PositiveIntegerField(
        default=0, help_text="Seconds to wait before retrying a failed run."
    )
    retry_backoff = models.CharField(
        max_length=16, choices=RetryBackoff.choices, default=RetryBackoff.FIXED
    )
    retry_max_delay = models.PositiveIntegerField(
        null=True, blank=True, help_text="Longest wait between attempts, in seconds."
    )
    run_after = models.DateTimeField(help_text="Earliest time (database clock) it may start.")
    pending_dependencies = models.PositiveIntegerField(
        default=0, help_text="Dependencies not completed yet; claimable at 0."
    )
    pass_parent_results = models.BooleanField(
        null=True, default=None, help_text="Inject dependencies' results: yes, no, or auto."
    )

    workflow = models.ForeignKey(
        Workflow, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    cancelled_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The dependency whose failure cancelled this job.",
    )

    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    # None while no worker has it: GigQ's value, and distinct from any real worker id.
    worker_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A running job whose lease expires is rescued."
    )
    # Set when a worker claims the job, kept when the run ends. Every transition out of
    # running names the run it ends, so a run that lost its job (rescued, requeued and
    # claimed again) can never end a later run. No database constraint: the job row is
    # updated before its new execution row is inserted, in the same transaction.
    latest_execution = models.ForeignKey(
        "JobExecution",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="The job's current run while running; its last run after.",
    )
    cancel_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When someone asked the running job to stop; its worker stops it and "
        "records it cancelled.",
    )
    progress = models.FloatField(
        null=True, blank=True, help_text="Fraction done (0 to 1), as the running job reported."
    )
    progress_message = models.CharField(max_length=255, blank=True, default="")
    trace_context = models.JSONField(
        null=True,
        blank=True,
        help_text="Trace context of the code that submitted the job, continued by its runs.",
    )

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The claim reads these indexes in claim order and stops after a batch: it never
            # sorts the claimable rows, so a backlog of any size costs it nothing.
            # Workers serving one queue:
            PartialIndex(
                fields=["queue", "-priority", "run_after", "id"],
                where=Q(status="pending", pending_dependencies=0),
                name="gigq_job_claim_idx",
            ),
            # Workers serving every queue (or several):
            PartialIndex(
                fields=["-priority", "run_after", "id"],
                where=Q(status="pending", pending_dependencies=0),
                name="gigq_job_claim_any_idx",
            ),
            # Running jobs by lease, for the rescue of jobs whose worker vanished.
            PartialIndex(
                fields=["lease_expires_at"],
                where=Q(status="running"),
                name="gigq_job_lease_idx",
            ),
            # Finished jobs by age, for clearing and pruning. Not led by status: an index
            # on status would compete with the claim index for the claim query.
            models.Index(fields=["completed_at"], name="gigq_job_completed_idx"),
            models.Index(fields=["-created_at"], name="gigq_job_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1), name="gigq_job_max_attempts_positive"
            ),
            models.CheckConstraint(condition=Q(timeout__gte=1), name="gigq_job_timeout_positive"),
            ActiveUniqueConstraint(
                field="unique_key",
                generated_field="active_unique_key",
                # "unique_key IS NOT NULL" keeps the index to keyed jobs, and out of the
                # claim query's plans: its predicate must not be implied by status='pending'.
                where=Q(unique_key__isnull=False, status__in=sorted(ACTIVE_STATES)),
                name="gigq_job_unique_key_active",
            ),
        ]
        # Checked by the admin's actions and buttons (``JobQueue.cancel`` / ``requeue_job``).
        permissions = [
            ("cancel_job", "Can cancel pending and running jobs"),
            ("requeue_job", "Can requeue failed, timed-out or cancelled jobs"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


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


class JobExecution(models.Model):
    """One attempt at running a job: who ran it, when, and how it ended."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="executions")
    attempt = models.PositiveIntegerField()
    worker_id = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=ExecutionStatus.choices)
    started_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds the function ran.")
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    exception_type = models.CharField(max_length=255, blank=True, default="")
    traceback = models.TextField(blank=True, default="")

    objects = JobExecutionQuerySet.as_manager()

    class Meta:
        # ``attempt`` restarts at 1 when a job is requeued, so it is not unique per job.
        ordering = ["job", "started_at"]
        indexes = [models.Index(fields=["job", "started_at"], name="gigq_execution_job_idx")]

    def __str__(self) -> str:
        return f"{self.job_id} attempt {self.attempt}"


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


class JobDependency(models.Model):
    """``job`` may start only once ``depends_on`` has completed."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="dependency_links")
    depends_on = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="dependent_links")

    objects = JobDependencyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "depends_on"], name="gigq_dependency_uniq")
        ]
        indexes = [models.Index(fields=["depends_on", "job"], name="gigq_dependency_rev_idx")]
        verbose_name_plural = "job dependencies"

    def __str__(self) -> str:
        return f"{self.job_id} after {self.depends_on_id}"


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


class WorkerProcess(models.Model):
    """A ``gigq_worker`` process: where it runs, what it serves, and whether it is alive."""

    id = models.CharField(primary_key=True, max_length=255)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    queues = models.JSONField(default=list, blank=True, help_text="Empty: every queue.")
    concurrency = models.PositiveIntegerField()
    state = models.CharField(
        max_length=16, choices=WorkerState.choices, default=WorkerState.RUNNING
    )
    started_at = models.DateTimeField()
    last_heartbeat = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    objects = WorkerProcessQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "worker"
        indexes = [models.Index(fields=["state", "last_heartbeat"], name="gigq_worker_state_idx")]

    def __str__(self) -> str:
        return self.id


# Defined in modules of their own; imported here so Django finds them.
from .pauses import PausedQueue  # noqa: E402
from .schedules import Schedule  # noqa: E402

__all__ = [
    "Job",
    "JobDependency",
    "JobExecution",
    "PausedQueue",
    "Schedule",
    "WorkerProcess",
    "Workflow",
]
