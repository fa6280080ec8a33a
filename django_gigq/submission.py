"""Storing new jobs and their dependencies, all or nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError

from .db import DatabaseNow, write_transaction
from .events import announce_submitted
from .importing import check_allowed
from .models import Job as JobRow
from .models import JobDependency
from .models import Workflow as WorkflowRow
from .states import UNSUCCESSFUL_STATES, JobStatus
from .transitions import cancel_dependents
from .wakeup import notify_jobs_available

if TYPE_CHECKING:
    from .jobs import Job

#: Rows per INSERT statement: well under every database's limit on query parameters.
INSERT_BATCH_SIZE = 500


def submit_jobs(
    jobs: Sequence[Job], *, using: str, workflow: WorkflowRow | None = None
) -> list[str]:
    """Store ``jobs`` (and ``workflow``, if given) in one transaction; return their ids.

    Raises:
        ValueError: a job is invalid, was already submitted, appears twice, depends on an
            unknown job, or the dependencies form a cycle. Nothing is stored then.
    """
    for job in jobs:
        job.validate()
        check_allowed(job.function_path)
    _check_unique_ids(jobs)
    _check_acyclic(jobs)
    try:
        with write_transaction(using):
            _check_not_stored(jobs, using)
            stored_states = _lock_stored_dependencies(jobs, using)
            if workflow is not None:
                workflow.save(using=using)
            _insert(jobs, stored_states, workflow, using)
            _cancel_jobs_blocked_by_unsuccessful(jobs, stored_states, using)
            notify_jobs_available(_claimable_queues(jobs, stored_states), using=using)
            announce_submitted(jobs, using=using)
    except IntegrityError as exc:
        # Another process submitted one of these ids between our check and our insert.
        raise ValueError(f"a job in this submission was already submitted: {exc}") from exc
    return [job.id for job in jobs]


def _check_unique_ids(jobs: Sequence[Job]) -> None:
    seen: set[str] = set()
    for job in jobs:
        if job.id in seen:
            raise ValueError(f"job {job.id} ({job.name}) appears twice in this submission")
        seen.add(job.id)


def _check_not_stored(jobs: Sequence[Job], using: str) -> None:
    ids = [job.id for job in jobs]
    stored = set(JobRow.objects.using(using).filter(id__in=ids).values_list("id", flat=True))
    for job in jobs:
        if uuid.UUID(job.id) in stored:
            raise ValueError(
                f"job {job.id} ({job.name}) was already submitted; create a new Job to run "
                f"it again, or requeue it"
            )


def _check_acyclic(jobs: Sequence[Job]) -> None:
    """Raise ``ValueError`` naming a dependency cycle among ``jobs``, if there is one.

    Stored jobs cannot depend on new ones, so a cycle can only lie within a submission.
    An iterative depth-first search: deep chains must not hit Python's recursion limit.
    """
    by_id = {job.id: job for job in jobs}
    visiting, done = 1, 2
    state: dict[str, int] = {}
    for start in jobs:
        if start.id in state:
            continue
        state[start.id] = visiting
        path = [start.id]
        stack = [iter(start.dependencies)]
        while stack:
            child = next((c for c in stack[-1] if c in by_id and state.get(c) != done), None)
            if child is None:
                state[path.pop()] = done
                stack.pop()
            elif state.get(child) == visiting:
                cycle = [*path[path.index(child) :], child]
                names = " -> ".join(f"{by_id[i].name} ({i})" for i in cycle)
                raise ValueError(f"dependency cycle: {names}; a job cannot wait on itself")
            else:
                state[child] = visiting
                path.append(child)
                stack.append(iter(by_id[child].dependencies))


def _lock_stored_dependencies(jobs: Sequence[Job], using: str) -> dict[uuid.UUID, str]:
    """Return the status of each already-stored dependency, locking it until commit.

    The lock stops a dependency from completing between our count and our commit: its
    completion would decrement counters before it could see the new jobs.
    """
    new_ids = {job.id for job in jobs}
    wanted = {dep for job in jobs for dep in job.dependencies if dep not in new_ids}
    if not wanted:
        return {}
    states = dict(
        JobRow.objects.using(using)
        .select_for_update()
        .filter(id__in=wanted)
        .values_list("id", "status")
    )
    for job in jobs:
        for dep in job.dependencies:
            if dep not in new_ids and uuid.UUID(dep) not in states:
                raise ValueError(
                    f"job {job.id} ({job.name}) depends on unknown job {dep}; submit that job "
                    f"first, or in the same submit_many() or workflow"
                )
    return states


def _insert(
    jobs: Sequence[Job],
    stored_states: dict[uuid.UUID, str],
    workflow: WorkflowRow | None,
    using: str,
) -> None:
    rows = [_row(job, stored_states, workflow) for job in jobs]
    JobRow.objects.using(using).bulk_create(rows, batch_size=INSERT_BATCH_SIZE)
    links = [
        JobDependency(job_id=job.id, depends_on_id=dep) for job in jobs for dep in job.dependencies
    ]
    JobDependency.objects.using(using).bulk_create(links, batch_size=INSERT_BATCH_SIZE)


def _row(job: Job, stored_states: dict[uuid.UUID, str], workflow: WorkflowRow | None) -> JobRow:
    unfinished = sum(
        1 for dep in job.dependencies if stored_states.get(uuid.UUID(dep)) != JobStatus.COMPLETED
    )
    return JobRow(
        id=job.id,
        name=job.name,
        function=job.function_path,
        params=job.params,
        queue=job.queue,
        priority=job.priority,
        description=job.description,
        max_attempts=job.max_attempts,
        timeout=job.timeout,
        retry_delay=job.retry_delay,
        retry_backoff=job.retry_backoff,
        retry_max_delay=job.retry_max_delay,
        pass_parent_results=job.pass_parent_results,
        pending_dependencies=unfinished,
        workflow=workflow,
        run_after=job.run_after or DatabaseNow(),
        created_at=DatabaseNow(),
        updated_at=DatabaseNow(),
    )


def _claimable_queues(jobs: Sequence[Job], stored_states: dict[uuid.UUID, str]) -> set[str]:
    """The queues of the new jobs that wait on nothing."""
    return {
        job.queue
        for job in jobs
        if all(stored_states.get(uuid.UUID(dep)) == JobStatus.COMPLETED for dep in job.dependencies)
    }


def _cancel_jobs_blocked_by_unsuccessful(
    jobs: Sequence[Job], stored_states: dict[uuid.UUID, str], using: str
) -> None:
    """A new job that waits on a failed, timed-out or cancelled job can never run."""
    for dependency, status in stored_states.items():
        if status in UNSUCCESSFUL_STATES:
            cancel_dependents(dependency, using=using)
