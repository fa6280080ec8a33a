"""Pausing and resuming queues: no worker claims a paused queue's jobs until it is resumed.

A pause is a ``PausedQueue`` row; the claim leaves out the jobs of the queues that have one
(``JobQuerySet.claimable``). Running jobs are not touched: they finish as usual. Resuming
deletes the row and, on PostgreSQL, wakes the idle workers at once (NOTIFY, on commit).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError

from .db import DatabaseNow, write_transaction
from .events import announce_paused, announce_resumed
from .pauses import QUEUE_MAX_LENGTH, PausedQueue
from .validation import validate_text
from .wakeup import notify_jobs_available

#: The longest ``paused_by`` text kept; longer text is cut.
PAUSED_BY_MAX_LENGTH = PausedQueue._meta.get_field("paused_by").max_length


def validate_queue_name(queue: Any) -> str:
    """Return ``queue`` if it can name a queue, else raise.

    Raises:
        TypeError: ``queue`` is not a str.
        ValueError: it is empty, longer than a queue name can be, or holds a NUL.
    """
    validate_text("queue", queue, max_length=QUEUE_MAX_LENGTH)
    if not queue:
        raise ValueError("queue must not be empty")
    return queue


def pause_queue(queue: str, *, reason: str = "", paused_by: str = "", using: str) -> bool:
    """Stop workers from claiming ``queue``'s jobs; return whether it was running.

    A queue that is already paused keeps its first pause (time, reason and who).
    """
    validate_queue_name(queue)
    validate_text("reason", reason)
    validate_text("paused_by", paused_by)
    try:
        with write_transaction(using):
            paused = PausedQueue.objects.using(using)
            if paused.of_queue(queue).exists():
                return False
            paused.create(
                queue=queue,
                paused_at=DatabaseNow(),
                paused_by=paused_by[:PAUSED_BY_MAX_LENGTH],
                reason=reason,
            )
            announce_paused(queue, reason=reason, paused_by=paused_by, using=using)
    except IntegrityError:
        return False  # paused by someone else at the same moment
    return True


def resume_queue(queue: str, *, using: str) -> bool:
    """Let workers claim ``queue``'s jobs again; return whether it was paused."""
    validate_queue_name(queue)
    with write_transaction(using):
        deleted, _per_model = PausedQueue.objects.using(using).of_queue(queue).delete()
        if deleted:
            # Idle workers on PostgreSQL wait for a NOTIFY; elsewhere they poll.
            notify_jobs_available([queue], using=using)
            announce_resumed(queue, using=using)
    return bool(deleted)


def paused_queue_dicts(using: str) -> list[dict[str, Any]]:
    """Return each paused queue as a dict, by name: ``queue``, ``paused_at`` (ISO 8601),
    ``paused_by`` and ``reason``."""
    rows = PausedQueue.objects.using(using).order_by("queue")
    return [
        {
            "queue": row.queue,
            "paused_at": row.paused_at.isoformat(),
            "paused_by": row.paused_by,
            "reason": row.reason,
        }
        for row in rows
    ]
