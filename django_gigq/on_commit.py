"""Submitting jobs once the caller's transaction commits, for ``submit(..., on_commit=True)``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction

from .importing import check_allowed
from .submission import submit_jobs

if TYPE_CHECKING:
    from .jobs import Job


def submit_jobs_on_commit(jobs: Sequence[Job], *, using: str) -> list[str]:
    """Check ``jobs`` now, store them once the transaction on ``using`` commits; return ids.

    Outside a transaction they are stored at once. A rolled-back transaction stores
    nothing. Checks that need the database (unknown dependencies, ids already submitted)
    run at commit, where a failure raises from the ``atomic`` block that committed.

    Raises:
        TypeError, ValueError: a job is invalid or its function is not allowed.
    """
    jobs = list(jobs)
    for job in jobs:
        # Fail in the caller's code, with its traceback, rather than after its commit.
        job.validate()
        check_allowed(job.function_path)
    transaction.on_commit(lambda: submit_jobs(jobs, using=using), using=using)
    return [job.id for job in jobs]
