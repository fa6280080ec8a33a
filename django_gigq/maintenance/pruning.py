"""Pruning: delete finished jobs older than a retention per status, in short batches.

``manage.py gigq prune`` calls ``prune``; a running worker calls ``run_once`` every
``GIGQ["PRUNE_INTERVAL"]`` seconds when ``GIGQ["PRUNE_AFTER_DAYS"]`` is set. Each batch
deletes up to ``BATCH_SIZE`` jobs, with their executions and dependency links, in a
transaction of its own: no lock is held for long, and workers go on claiming meanwhile.
Ages are measured by ``completed_at`` against the database's clock, on its index.
"""

from __future__ import annotations

import logging
from typing import Any

from ..conf import gigq_settings
from ..db import database_now_plus, write_transaction
from ..models import Job
from ..states import FINAL_STATES, JobStatus

logger = logging.getLogger(__name__)

#: Jobs deleted per transaction.
BATCH_SIZE = 1000
SECONDS_PER_DAY = 86400


def parse_retention(value: Any) -> dict[str, float]:
    """Return ``{final status: days}`` from a number of days or such a dict.

    Raises:
        ValueError, TypeError: a status that is not final, or days that are not a number
            of 0 or more.
    """
    if isinstance(value, dict):
        retention = dict(value)
    else:
        retention = dict.fromkeys(sorted(FINAL_STATES), value)
    finals = sorted(str(status) for status in FINAL_STATES)
    for status, days in retention.items():
        if status not in finals:
            raise ValueError(f"can only prune final statuses ({', '.join(finals)}); got {status!r}")
        if isinstance(days, bool) or not isinstance(days, (int, float)) or days < 0:
            raise TypeError(f"days to keep {status} jobs must be a number >= 0; got {days!r}")
    return {str(status): float(days) for status, days in retention.items()}


def prune(
    retention: dict[str, float], *, using: str, batch_size: int = BATCH_SIZE, dry_run: bool = False
) -> dict[str, int]:
    """Delete jobs in each status that finished more than its days ago.

    Returns ``{status: jobs deleted}`` (with ``dry_run``, how many would be).
    """
    deleted: dict[str, int] = {}
    for status, days in parse_retention(retention).items():
        cutoff = database_now_plus(-days * SECONDS_PER_DAY)
        if dry_run:
            jobs = Job.objects.using(using).finished_before(JobStatus(status), cutoff)
            deleted[status] = jobs.count()
            continue
        deleted[status] = 0
        while True:
            batch = _delete_batch(JobStatus(status), cutoff, batch_size, using)
            deleted[status] += batch
            if batch < batch_size:
                break
    return deleted


def _delete_batch(status: JobStatus, cutoff: Any, batch_size: int, using: str) -> int:
    with write_transaction(using):
        ids = list(
            Job.objects.using(using)
            .finished_before(status, cutoff)
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return 0
        # Executions and dependency links go with their jobs (on_delete=CASCADE).
        _total, per_model = Job.objects.using(using).filter(id__in=ids).delete()
    return per_model.get(Job._meta.label, 0)


def run_once(using: str) -> int:
    """Prune as ``GIGQ["PRUNE_AFTER_DAYS"]`` says (nothing when unset); return jobs deleted."""
    retention = gigq_settings.PRUNE_AFTER_DAYS
    if not retention:
        return 0
    deleted = sum(prune(retention, using=using).values())
    if deleted:
        logger.info("Pruned %s finished job(s) past their retention", deleted)
    return deleted
