"""Storing new jobs and their dependencies, all or nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, connections, transaction

from .bulk import AnyOf, insert_rows
from .db import write_transaction
from .events import announce_submitted
from .exceptions import DuplicateJob
from .importing import check_allowed
from .models import Job as JobRow
from .models import JobDependency
from .models import Workflow as WorkflowRow
from .new_jobs import NewJob, Skipped, insert_jobs
from .states import UNSUCCESSFUL_STATES, JobStatus
from .tracing import submit_span
from .transitions import cancel_dependents
from .validation import encode_params

if TYPE_CHECKING:
    from .jobs import Job

#: What submit does with a job whose unique key is taken: return the holder's id, or raise.
ON_DUPLICATE = ("return", "raise")
#: Tries when a key's holder finishes between our failed insert and our read of it.
KEY_RACE_RETRIES = 3
#: Dependency links per INSERT where each value is a placeholder (not on PostgreSQL).
LINK_BATCH_SIZE = 500


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
    checked = check_jobs(jobs)
    _check_unique_ids(jobs)
    _check_unique_keys(jobs)
    _check_acyclic(jobs)
    with submit_span(jobs) as trace_context:
        return _store(jobs, checked, using, workflow, on_duplicate, trace_context)


def check_jobs(jobs: Sequence[Job]) -> list[tuple[str, str]]:
    """Validate each job; return each one's function path and params as JSON text.

    Raises:
        TypeError, ValueError: a job is invalid, or its function is not in an allowed
            module.
    """
    checked: list[tuple[str, str]] = []
    allowed: set[str] = set()  # a batch mostly runs a few functions: check each once
    for job in jobs:
        job.validate()
        found = job._checked
        if found is None:  # a subclass's validate() that did not call Job.validate()
            found = (job.function_path, encode_params(job.params))
        if found[0] not in allowed:
            check_allowed(found[0])
            allowed.add(found[0])
        checked.append(found)
    return checked


def _store(
    jobs: Sequence[Job],
    checked: list[tuple[str, str]],
    using: str,
    workflow: WorkflowRow | None,
    on_duplicate: str,
    trace_context: dict[str, str] | None,
) -> list[str]:
    functions = [path for path, _ in checked]
    if _one_statement_stores(jobs, workflow, using):
        try:
            insert_jobs(_rows(jobs, checked, {}, None, trace_context), using=using)
        except Skipped:
            pass  # nothing was stored: the id or the key is taken; the path below says which
        else:
            announce_submitted(jobs, functions, using=using)
            return [job.id for job in jobs]
    keys = [job.unique_key for job in jobs if job.unique_key is not None]
    error = None
    for _try in range(KEY_RACE_RETRIES):
        try:
            with write_transaction(using):
                stored_states = _lock_stored_dependencies(jobs, using)
                if workflow is not None:
                    workflow.save(using=using)
                insert_jobs(
                    _rows(jobs, checked, stored_states, workflow, trace_context), using=using
                )
                _insert_links(jobs, using)
                _cancel_jobs_blocked_by_unsuccessful(jobs, stored_states, using)
                announce_submitted(jobs, functions, using=using)
            return [job.id for job in jobs]
        except IntegrityError as exc:
            # Rolled back; find out why: an id already submitted raises, a taken key has
            # a holder.
            error = exc
            holders = _why_not_stored(jobs, keys, exc, using)
        if holders:
            return _duplicate(jobs, holders, on_duplicate, workflow)
        # The key's holder finished between our insert and our read: try again.
    raise ValueError(
        f"unique keys {keys} were taken and released {KEY_RACE_RETRIES} times while this "
        f"submission ran; submit again (the database said: {error})"
    ) from error


def _why_not_stored(
    jobs: Sequence[Job], keys: list[str], error: IntegrityError, using: str
) -> dict[str, str]:
    """Say why an insert that was rolled back failed: return ``{key: holder id}``.

    Empty when a key was taken by a job that has finished since.

    Raises:
        ValueError: a job was already submitted, or the database refused the jobs for
            another reason (its message says which).
    """
    with transaction.atomic(using=using):
        _check_not_stored(jobs, using)
        if not keys:
            raise ValueError(f"the database refused this submission: {error}") from error
        return _key_holders(keys, using)


def _one_statement_stores(jobs: Sequence[Job], workflow: WorkflowRow | None, using: str) -> bool:
    """Whether one INSERT, without a transaction of its own, can store ``jobs``.

    On PostgreSQL a single job that waits on nothing takes one statement, which is atomic
    by itself and skips (rather than fails on) a taken id or key (``Skipped``): it needs
    neither a transaction nor, inside the caller's, a savepoint. Submitting one job then
    costs one round trip, as a bare INSERT does.
    """
    if len(jobs) != 1 or jobs[0].dependencies or workflow is not None:
        return False
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    # Outside any transaction, or in the caller's atomic block; not under manual
    # transaction management, where only atomic() makes on_commit work.
    return connection.in_atomic_block or connection.get_autocommit()


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
    stored = set(JobRow.objects.using(using).filter(AnyOf("id", ids)).values_list("id", flat=True))
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
    if not any(job.dependencies for job in jobs):
        return
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
    if not any(job.dependencies for job in jobs):
        return {}
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


def _insert_links(jobs: Sequence[Job], using: str) -> None:
    links = [{"job": job.id, "depends_on": dep} for job in jobs for dep in job.dependencies]
    # PostgreSQL takes them as two arrays, in one statement whatever their number.
    size = len(links) if connections[using].vendor == "postgresql" else LINK_BATCH_SIZE
    for start in range(0, len(links), size or 1):
        insert_rows(JobDependency, links[start : start + size], using=using)


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


def _rows(
    jobs: Sequence[Job],
    checked: list[tuple[str, str]],
    stored_states: dict[uuid.UUID, str],
    workflow: WorkflowRow | None,
    trace_context: dict[str, str] | None,
) -> list[NewJob]:
    workflow_id = None if workflow is None else workflow.id
    return [
        NewJob(
            id=job.id,
            name=job.name,
            function=function_path,
            params={} if job.params is None else job.params,
            queue=job.queue,
            priority=job.priority,
            description=job.description,
            unique_key=job.unique_key,
            max_attempts=job.max_attempts,
            timeout=job.timeout,
            retry_delay=job.retry_delay,
            retry_backoff=job.retry_backoff,
            retry_max_delay=job.retry_max_delay,
            pass_parent_results=job.pass_parent_results,
            pending_dependencies=_unfinished(job, stored_states),
            workflow=workflow_id,
            run_after=job.run_after,
            trace_context=trace_context,
            params_json=params_json,
        )
        for job, (function_path, params_json) in zip(jobs, checked, strict=True)
    ]


def _unfinished(job: Job, stored_states: dict[uuid.UUID, str]) -> int:
    """How many of the job's dependencies have not completed (new ones have not)."""
    if not job.dependencies:
        return 0
    return sum(
        1 for dep in job.dependencies if stored_states.get(uuid.UUID(dep)) != JobStatus.COMPLETED
    )


def _cancel_jobs_blocked_by_unsuccessful(
    jobs: Sequence[Job], stored_states: dict[uuid.UUID, str], using: str
) -> None:
    """A new job that waits on a failed, timed-out or cancelled job can never run."""
    for dependency, status in stored_states.items():
        if status in UNSUCCESSFUL_STATES:
            cancel_dependents(dependency, using=using)
