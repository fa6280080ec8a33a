"""Jobs, their executions, their dependencies and their workflows.

Every question the system asks the database is a named QuerySet method, in
``models/querysets.py``: the worker, the API and the admin call these instead of spelling out
filters of their own.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Case, F, Q, Value, When

from ..db import uuid7
from ..indexes import ActiveUniqueConstraint, PartialIndex
from ..retries import RetryBackoff
from ..states import (
    ACTIVE_STATES,
    ExecutionStatus,
    JobStatus,
    WorkerState,
)
from .querysets import (
    JobDependencyQuerySet,
    JobExecutionQuerySet,
    JobQuerySet,
    WorkerProcessQuerySet,
)


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
from ..pauses import PausedQueue  # noqa: E402
from ..schedules import Schedule  # noqa: E402

__all__ = [
    "Job",
    "JobDependency",
    "JobExecution",
    "PausedQueue",
    "Schedule",
    "WorkerProcess",
    "Workflow",
]
