"""Health: is the job database answering, and are the claimable jobs being taken?

One check, used by ``manage.py gigq health`` and by the JSON view ``django_gigq.views.health``
(probes of containers and load balancers). The jobs are unhealthy when:

- the job database cannot be queried;
- a queue has claimable jobs and no live worker serves it (a live worker is running and
  has beaten within ``GIGQ["LEASE_SECONDS"]``; one started without ``--queue`` serves
  every queue);
- a queue's oldest claimable job has waited longer than the limit (``max_age``, default
  ``GIGQ["HEALTH_MAX_AGE"]``).

Paused queues count for neither: their jobs are not claimable, by choice. Waits are
measured in database time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import Error as DatabaseError

from .conf import gigq_settings
from .db import database_now_plus
from .models import Job, PausedQueue, WorkerProcess
from .validation import validate_number


@dataclass(frozen=True)
class QueueBacklog:
    """A queue's claimable jobs: how many, and how long the oldest has waited (seconds)."""

    queue: str
    claimable: int
    oldest_wait: float


@dataclass(frozen=True)
class HealthReport:
    """What ``check_health`` found; ``reason`` is one line, for people and probes."""

    healthy: bool
    reason: str
    max_age: float
    live_workers: int = 0
    backlog: list[QueueBacklog] = field(default_factory=list)
    paused_queues: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (the view's body, ``gigq health --json``)."""
        return {
            "healthy": self.healthy,
            "reason": self.reason,
            "max_age": self.max_age,
            "live_workers": self.live_workers,
            "queues": {
                row.queue: {"claimable": row.claimable, "oldest_wait": round(row.oldest_wait, 3)}
                for row in self.backlog
            },
            "paused_queues": self.paused_queues,
        }


def check_health(*, using: str, max_age: float | None = None) -> HealthReport:
    """Check the job database, its workers and its backlog; return what was found.

    Args:
        using: The database alias of the job tables.
        max_age: The longest a claimable job may wait, in seconds (default:
            ``GIGQ["HEALTH_MAX_AGE"]``).

    Raises:
        TypeError, ValueError: ``max_age`` is not a number above 0.
    """
    if max_age is None:
        max_age = gigq_settings.HEALTH_MAX_AGE
    max_age = validate_number("max_age", max_age, above=0)
    try:
        backlog = _backlog(using)
        served = _served_queues(using)
        paused = PausedQueue.objects.using(using).names()
    except DatabaseError as exc:
        reason = f"cannot query the job database {using!r}: {_first_line(exc)}"
        return HealthReport(healthy=False, reason=reason, max_age=max_age)
    live_workers, serves_all, queues = served
    problems = _unserved(backlog, queues) if not serves_all else []
    problems += [
        f"queue {row.queue}: the oldest claimable job has waited {row.oldest_wait:.0f}s, "
        f"over {max_age:g}s"
        for row in backlog
        if row.oldest_wait > max_age
    ]
    reason = "; ".join(problems) if problems else _summary(live_workers, backlog, paused)
    return HealthReport(
        healthy=not problems,
        reason=reason,
        max_age=max_age,
        live_workers=live_workers,
        backlog=backlog,
        paused_queues=paused,
    )


def _backlog(using: str) -> list[QueueBacklog]:
    rows = Job.objects.using(using).claimable_backlog_by_queue()
    return [
        QueueBacklog(queue, count, max((now - since).total_seconds(), 0.0))
        for queue, (count, since, now) in sorted(rows.items())
    ]


def _served_queues(using: str) -> tuple[int, bool, set[str]]:
    """Return (live workers, whether one serves every queue, the queues the others name)."""
    heartbeat_since = database_now_plus(-gigq_settings.LEASE_SECONDS)
    queue_lists = list(
        WorkerProcess.objects.using(using).serving(heartbeat_since).values_list("queues", flat=True)
    )
    serves_all = any(not queues for queues in queue_lists)
    return len(queue_lists), serves_all, {name for queues in queue_lists for name in queues}


def _unserved(backlog: list[QueueBacklog], served: set[str]) -> list[str]:
    return [
        f"queue {row.queue}: {_jobs(row.claimable)} claimable and no live worker serves it"
        for row in backlog
        if row.queue not in served
    ]


def _summary(live_workers: int, backlog: list[QueueBacklog], paused: list[str]) -> str:
    workers = f"{live_workers} live worker{'' if live_workers == 1 else 's'}"
    if backlog:
        total = sum(row.claimable for row in backlog)
        oldest = max(row.oldest_wait for row in backlog)
        queues = f"{len(backlog)} queue{'' if len(backlog) == 1 else 's'}"
        jobs = f"{_jobs(total)} claimable in {queues}, the oldest waiting {oldest:.0f}s"
    else:
        jobs = "no claimable jobs"
    text = f"ok: {workers}, {jobs}"
    if paused:
        text += f"; paused: {', '.join(paused)}"
    return text


def _jobs(n: int) -> str:
    return f"{n} job" if n == 1 else f"{n} jobs"


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return " ".join(lines[0].split()) if lines else type(exc).__name__
