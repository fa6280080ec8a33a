"""Storing new jobs and their dependencies, all or nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from .db import DatabaseNow, write_transaction
from .events import announce_submitted
from .exceptions import DuplicateJob
from .importing import check_allowed
from .models import Job as JobRow
from .models import JobDependency
from .models import Workflow as WorkflowRow
from .states import UNSUCCESSFUL_STATES, JobStatus
from .tracing import submit_span
from .transitions import cancel_dependents
from .wakeup import notify_jobs_available

if TYPE_CHECKING:
    from .jobs import Job

#: Rows per INSERT statement: well under every database's limit on query parameters.
INSERT_BATCH_SIZE = 500
#: What submit does with a job whose unique key is taken: return the holder's id, or raise.
ON_DUPLICATE = ("return", "raise")
#: Tries when a key's holder finishes between our failed insert and our read of it.
KEY_RACE_RETRIES = 3


def submit_jobs(
    jobs: Sequence[Job],
    *,
    using: str,
    workflow: WorkflowRow | None = None,
    on_duplicate: str = "raise",
) -> list[str]:
    """Store ``jobs`` (and ``workflow``, if given) in one transaction; return their ids.

    A job whose ``unique_key`` a pending or running job already holds is not stored: with
    ``on_duplicate="return"`` and a single job, the holder's id is returned in its place
    (and set as the job's ``duplicate_of``); otherwise ``DuplicateJob`` is raised and
    nothing is stored. The database decides, so of two processes submitting the same key
    at once exactly one stores its job.

    Raises:
        DuplicateJob: a unique key is taken (see above).
        ValueError: a job is invalid, was already submitted, appears twice, depends on an
            unknown job, or the dependencies form a cycle. Nothing is stored then.
    """
    if on_duplicate not in ON_DUPLICATE:
        raise ValueError(f"on_duplicate must be 'return' or 'raise'; got {on_duplicate!r}")
    for job in jobs:
        job.validate()
        check_allowed(job.function_path)
    _check_unique_ids(jobs)
    _check_unique_keys(jobs)
    _check_acyclic(jobs)
    with submit_span(jobs) as trace_context:
        return _store(jobs, using, workflow, on_duplicate, trace_context)


def _store(
    jobs: Sequence[Job],
    using: str,
    workflow: WorkflowRow | None,
    on_duplicate: str,
    trace_context: dict[str, str] | None,
) -> list[str]:
    keys = [job.unique_key for job in jobs if job.unique_key is not None]
    for _try in range(KEY_RACE_RETRIES):
        try:
            with write_transaction(using):
                _check_not_stored(jobs, using)
                stored_states = _lock_stored_dependencies(jobs, using)
                if workflow is not None:
                    workflow.save(using=using)
                holders = _insert(jobs, stored_states, workflow, using, keys, trace_context)
                if holders is None:
                    raise _KeyReleased
                if holders:
                    return _duplicate(jobs, holders, on_duplicate, workflow)
                _cancel_jobs_blocked_by_unsuccessful(jobs, stored_states, using)
                notify_jobs_available(_claimable_queues(jobs, stored_states), using=using)
                announce_submitted(jobs, using=using)
        except _KeyReleased:
            continue  # the key's holder finished between our insert and our read: again
        except IntegrityError as exc:
            # Another process submitted one of these ids between our check and our insert.
            raise ValueError(f"a job in this submission was already submitted: {exc}") from exc
        return [job.id for job in jobs]
    raise ValueError(
        f"unique keys {keys} were taken and released {KEY_RACE_RETRIES} times while this "
        f"submission ran; submit again"
    )


class _KeyReleased(Exception):
    """Roll the submission back and try again: the key's holder is gone."""


def _check_unique_keys(jobs: Sequence[Job]) -> None:
    seen: dict[str, Job] = {}
    for job in jobs:
        if job.unique_key is None:
            continue
        if job.unique_key in seen:
            raise ValueError(
                f"jobs {seen[job.unique_key].id} and {job.id} of this submission share "
                f"unique_key {job.unique_key!r}; give each job its own key"
            )
        seen[job.unique_key] = job


def _duplicate(
    jobs: Sequence[Job], holders: dict[str, str], on_duplicate: str, workflow: WorkflowRow | None
) -> list[str]:
    job = next(job for job in jobs if job.unique_key in holders)
    existing = holders[job.unique_key]
    if on_duplicate == "return" and len(jobs) == 1 and workflow is None:
        job.duplicate_of = existing
        return [existing]
    # Several jobs, or a workflow: dropping one would break the others' dependencies.
    raise DuplicateJob(existing, job.unique_key)


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
    keys: list[str],
    trace_context: dict[str, str] | None,
) -> dict[str, str] | None:
    """Insert the jobs and their dependency links.

    Returns ``{}`` when they were stored; when a unique key is taken, stores nothing and
    returns ``{key: holder id}``, or None if the holder finished before we could read it.
    """
    rows = [_row(job, stored_states, workflow, trace_context) for job in jobs]
    if not keys:
        JobRow.objects.using(using).bulk_create(rows, batch_size=INSERT_BATCH_SIZE)
    else:
        try:
            # A savepoint: a taken key must not break the caller's transaction.
            with transaction.atomic(using=using):
                JobRow.objects.using(using).bulk_create(rows, batch_size=INSERT_BATCH_SIZE)
        except IntegrityError:
            holders = _key_holders(keys, using)
            if not holders:
                return None
            return holders
    links = [
        JobDependency(job_id=job.id, depends_on_id=dep) for job in jobs for dep in job.dependencies
    ]
    JobDependency.objects.using(using).bulk_create(links, batch_size=INSERT_BATCH_SIZE)
    return {}


def _key_holders(keys: list[str], using: str) -> dict[str, str]:
    """Return ``{key: id}`` of the pending or running jobs holding ``keys``.

    A locking read: on MySQL and MariaDB it sees the holder that committed after our
    transaction's snapshot was taken, as the unique index did.
    """
    holders = (
        JobRow.objects.using(using)
        .active_with_unique_keys(keys)
        .select_for_update()
        .values_list("unique_key", "id")
    )
    return {key: str(job_id) for key, job_id in holders}


def _row(
    job: Job,
    stored_states: dict[uuid.UUID, str],
    workflow: WorkflowRow | None,
    trace_context: dict[str, str] | None,
) -> JobRow:
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
        unique_key=job.unique_key,
        pending_dependencies=unfinished,
        workflow=workflow,
        trace_context=trace_context,
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
