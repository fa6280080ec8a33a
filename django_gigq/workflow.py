"""``Workflow``: jobs with dependencies between them, submitted together."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .db import uuid7
from .decorators import TaskWrapper
from .jobs import Job
from .validation import validate_text

if TYPE_CHECKING:
    from .queue import JobQueue


class Workflow:
    """A named set of jobs and the order they must run in.

    The workflow is stored with its jobs (one ``Workflow`` row they all point to), so the
    admin can show it as a whole. Nothing is stored until ``submit_all``.

    Args:
        name: A label for people (not unique).
    """

    def __init__(self, name: str) -> None:
        self.id = str(uuid7())
        self.name = validate_text("name", name, max_length=255)
        self.jobs: list[Job] = []
        self.job_map: dict[str, Job] = {}

    def add_job(self, job: Job, depends_on: Sequence[Job] | None = None) -> Job:
        """Add ``job``, to run after every job in ``depends_on``; return it.

        ``depends_on`` adds to the dependencies the job already names.

        Raises:
            TypeError: ``job`` or an item of ``depends_on`` is not a ``Job``.
            ValueError: ``job`` is already in this workflow.
        """
        if not isinstance(job, Job):
            raise TypeError(f"add_job expects a Job; got {type(job).__name__}")
        if job.id in self.job_map:
            raise ValueError(f"job {job.id} ({job.name}) is already in workflow {self.name!r}")
        for parent in depends_on or []:
            if not isinstance(parent, Job):
                raise TypeError(f"depends_on must hold Job objects; got {type(parent).__name__}")
            if parent.id not in job.dependencies:
                job.dependencies.append(parent.id)
        self.jobs.append(job)
        self.job_map[job.id] = job
        return job

    def add_task(
        self,
        task: TaskWrapper,
        params: dict[str, Any] | None = None,
        depends_on: Sequence[Job] | None = None,
        pass_parent_results: bool | None = None,
    ) -> Job:
        """Add a job made from a ``@task`` function; return it.

        Args:
            task: A function decorated with ``@task``.
            params: Keyword arguments for it, as JSON values.
            depends_on: Jobs that must complete before this one runs.
            pass_parent_results: As for ``Job``; None keeps the job's own setting.

        Raises:
            TypeError: ``task`` is not decorated with ``@task`` (use ``add_job(Job(...))``).
        """
        if not isinstance(task, TaskWrapper):
            raise TypeError(
                f"add_task expects a function decorated with @task; got {task!r} (use "
                f"add_job(Job(...)) for plain functions)"
            )
        job = task.to_job(**(params or {}))
        if pass_parent_results is not None:
            job.pass_parent_results = pass_parent_results
        return self.add_job(job, depends_on=depends_on)

    def submit_all(self, queue: JobQueue) -> list[str]:
        """Store the workflow and all its jobs in one transaction; return the ids in order.

        Raises:
            ValueError: a dependency cycle, a dependency that is neither in the workflow nor
                already stored, or an invalid job. Nothing is stored.
        """
        from .models import Workflow as WorkflowRow
        from .submission import submit_jobs

        row = WorkflowRow(id=self.id, name=self.name)
        return submit_jobs(self.jobs, using=queue.using, workflow=row)
