"""Waking workers: PostgreSQL NOTIFY, polling elsewhere.

``notify_jobs_available`` runs inside the transaction that makes jobs claimable, so the
notification is delivered on COMMIT and never for a rollback. Workers LISTEN on
``CHANNEL`` with a connection of their own (see ``worker/listener.py``); the payload is the
queue name, or empty for "any queue". ``notify_cancel_requested`` tells workers on
``CANCEL_CHANNEL`` that a running job was asked to stop; elsewhere, workers learn it with
their next heartbeat.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections

CHANNEL = "django_gigq"
CANCEL_CHANNEL = "django_gigq_cancel"


def notify_jobs_available(queues: Iterable[str], *, using: str) -> None:
    """Tell listening workers that jobs in ``queues`` can be claimed (PostgreSQL only)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for queue in sorted(set(queues)):
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, queue])


def notify_cancel_requested(*, using: str) -> None:
    """Tell listening workers that a running job was asked to stop (PostgreSQL only)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, '')", [CANCEL_CHANNEL])
