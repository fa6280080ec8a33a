"""Scheduler: enqueue the due ticks of periodic schedules, each exactly once.

Every live worker runs ``run_once`` about every ``GIGQ["SCHEDULER_INTERVAL"]`` seconds.
For each due schedule it moves ``next_run_at`` from the tick it saw to the following one
with a guarded ``UPDATE ... WHERE next_run_at = <tick>`` and, in the same transaction,
submits the tick's job. Of several workers that saw the same tick, exactly one update
matches; a worker that dies before its commit leaves the tick due for the others.

Misfires: a schedule whose ticks were missed (every worker was down for a day) runs once
when a worker comes back, and then on its next tick after the current time: missed ticks
are not run one by one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.module_loading import autodiscover_modules

from ..db import DatabaseNow, write_transaction
from ..exceptions import UnrunnableJob
from ..importing import check_allowed, load_callable
from ..job_types import is_job_type
from ..jobs import Job
from ..schedules import Schedule, declared_schedules, next_tick
from ..submission import submit_jobs

logger = logging.getLogger(__name__)

#: Modules of each installed app imported before syncing, where ``@periodic`` may live.
DECLARATION_MODULES = ("jobs",)
#: Aliases whose declared schedules this process has written already.
_synced: set[str] = set()


def run_once(using: str) -> int:
    """Enqueue every due tick; return how many jobs were enqueued.

    The first call in a process (a worker starting) also stores the schedules declared
    with ``@periodic``.
    """
    if using not in _synced:
        sync_declared(using)
        _synced.add(using)
    plan_unplanned(using)
    return enqueue_due(using)


def sync_declared(using: str) -> int:
    """Store the ``@periodic`` schedules as the code declares them; return how many changed.

    A declared schedule missing from the database is created; one whose function, params
    or timing changed is updated (and re-planned when its timing changed). ``enabled`` is
    left as it is, so the admin can pause a declared schedule. Schedules no longer declared
    are left alone: delete them in the admin.
    """
    autodiscover_modules(*DECLARATION_MODULES)
    changed = 0
    for declared in declared_schedules().values():
        fields = declared.fields()
        with write_transaction(using):
            row = (
                Schedule.objects.using(using)
                .select_for_update()
                .filter(name=declared.name)
                .values("id", *fields)
                .first()
            )
            if row is None:
                changed += _create_declared(declared.name, fields, using)
                continue
            if all(row[key] == value for key, value in fields.items()):
                continue
            retimed = (row["cron"], row["interval"]) != (fields["cron"], fields["interval"])
            extra = {"next_run_at": None} if retimed else {}
            Schedule.objects.using(using).filter(id=row["id"]).update(
                **fields, **extra, declared_in_code=True, updated_at=DatabaseNow()
            )
            changed += 1
    return changed


def _create_declared(name: str, fields: dict[str, Any], using: str) -> int:
    try:
        with transaction.atomic(using=using):  # another worker may create it at once
            Schedule.objects.using(using).create(name=name, declared_in_code=True, **fields)
    except IntegrityError:
        return 0
    return 1


def plan_unplanned(using: str) -> int:
    """Give new (or re-enabled) schedules their first tick after now; return how many."""
    planned = 0
    rows = Schedule.objects.using(using).unplanned().annotate(now=DatabaseNow())
    for row in rows.values("id", "cron", "interval", "now"):
        first = next_tick(row["cron"], row["interval"], row["now"])
        planned += (
            Schedule.objects.using(using)
            .unplanned()
            .filter(id=row["id"])
            .update(next_run_at=first, updated_at=DatabaseNow())
        )
    return planned


def enqueue_due(using: str) -> int:
    """Submit one job for each due schedule whose tick this call wins; return how many."""
    enqueued = 0
    due = Schedule.objects.using(using).due().annotate(now=DatabaseNow()).order_by("next_run_at")
    fields = ("id", "name", "function", "params", "cron", "interval", "queue", "priority")
    for row in due.values(*fields, "next_run_at", "now"):
        tick: datetime = row["next_run_at"]
        following = next_tick(row["cron"], row["interval"], tick)
        if following <= row["now"]:  # missed ticks: run once, then go on from now
            following = next_tick(row["cron"], row["interval"], row["now"])
        job = _job_for(row, tick)
        with write_transaction(using):
            won = (
                Schedule.objects.using(using)
                .at_tick(row["id"], tick)
                .update(next_run_at=following, last_run_at=tick)
            )
            if not won or job is None:
                continue
            submit_jobs([job], using=using)
            Schedule.objects.using(using).filter(id=row["id"]).update(last_job_id=job.id)
        enqueued += 1
    return enqueued


def _job_for(row: dict[str, Any], tick: datetime) -> Job | None:
    """Build the tick's job, or log why it cannot be built (the tick is skipped then)."""
    try:
        check_allowed(row["function"])
        function = load_callable(row["function"])
        if is_job_type(function):
            job = function.from_params(row["params"]).as_job()
        else:
            job = Job(name=row["name"], function=row["function"], params=row["params"])
        job.name = row["name"]
        job.description = f"schedule {row['name']!r}, tick {tick.isoformat()}"
        if row["queue"]:
            job.queue = row["queue"]
        if row["priority"] is not None:
            job.priority = row["priority"]
        job.validate()
    except (UnrunnableJob, TypeError, ValueError) as exc:
        logger.error("Schedule %r: tick %s skipped: %s", row["name"], tick.isoformat(), exc)
        return None
    return job
