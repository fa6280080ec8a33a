"""Signals sent as jobs move through their lives.

Every signal is sent once the change it reports has committed, so a receiver that reads
the database sees it, and a rolled-back submission sends nothing. The sender is the
``django_gigq.models.Job`` model class for the job signals, and
``django_gigq.models.PausedQueue`` for the queue signals. Receivers are called with
``send_robust``: an exception in one is logged (logger ``django_gigq.events``) and does
not reach the code that submitted or ran the job, whose change is already committed.

Keyword arguments (all ids are str; ``using`` is the database alias of the job tables):

``job_submitted``
    ``job_id``, ``name``, ``function`` (dotted path), ``queue``, ``using``.
``job_claimed``
    ``job_id``, ``name``, ``function``, ``queue``, ``attempt`` (1-based), ``worker_id``,
    ``using``. Sent by the worker process that claimed the job (the supervisor of
    ``gigq_worker``), once the claim has committed.
``job_started``
    ``job_id``, ``name``, ``function``, ``queue``, ``attempt`` (1-based), ``using``.
    Sent by the process about to call the function.
``job_completed``
    ``job_id``, ``name``, ``function``, ``queue``, ``attempt``, ``worker_id``,
    ``result`` (its JSON value), ``duration`` (seconds), ``using``.
``job_retrying``
    ``job_id``, ``name``, ``function``, ``queue``, ``attempt`` (the one that failed),
    ``worker_id``, ``error``, ``exception_type``, ``duration``, ``using``. The job is
    pending again.
``job_failed``
    ``job_id``, ``name``, ``function``, ``queue``, ``attempt``, ``worker_id``, ``status``
    (``"failed"`` or ``"timeout"``), ``error``, ``exception_type``, ``traceback``,
    ``duration``, ``using``. The job will not run again unless requeued.
``job_cancelled``
    ``job_id``, ``reason``, ``cancelled_by`` (the id of the dependency whose failure
    cancelled it, or None when it was cancelled directly), ``using``.
``queue_paused``
    ``queue``, ``reason``, ``paused_by``, ``using``. Workers claim none of its jobs now.
``queue_resumed``
    ``queue``, ``using``. Workers claim its jobs again.
"""

from __future__ import annotations

from django.dispatch import Signal

job_submitted = Signal()
"""Sent when a job is stored, with ``job_id``, ``name``, ``function``, ``queue``, ``using``."""

job_claimed = Signal()
"""Sent by the worker process that claimed a job, once the claim has committed.

With ``job_id``, ``name``, ``function``, ``queue``, ``attempt`` (1-based), ``worker_id``,
``using``. In ``gigq_worker`` this is the supervisor, which claims every job its child
processes run: a receiver here sees every run the worker starts, in one process.
"""

job_started = Signal()
"""Sent by the process about to call a job's function.

With ``job_id``, ``name``, ``function``, ``queue``, ``attempt`` (1-based), ``using``.
"""

job_completed = Signal()
"""Sent when a job has succeeded.

With ``job_id``, ``name``, ``function``, ``queue``, ``attempt``, ``worker_id``, ``result``
(its JSON value), ``duration`` (seconds), ``using``.
"""

job_retrying = Signal()
"""Sent when an attempt has failed and the job is pending again for another.

With ``job_id``, ``name``, ``function``, ``queue``, ``attempt`` (the one that failed),
``worker_id``, ``error``, ``exception_type``, ``duration`` (seconds the attempt ran),
``using``.
"""

job_failed = Signal()
"""Sent when a job's last attempt has failed or timed out; it runs again only if requeued.

With ``job_id``, ``name``, ``function``, ``queue``, ``attempt``, ``worker_id``, ``status``
(``"failed"`` or ``"timeout"``), ``error``, ``exception_type``, ``traceback``,
``duration`` (seconds the attempt ran; 0 when its worker was lost), ``using``.
"""

job_cancelled = Signal()
"""Sent when a job is cancelled: directly, because a dependency did not succeed, or by
its own run (``JobCancelled``).

With ``job_id``, ``reason``, ``cancelled_by`` (the id of the dependency whose failure
cancelled it, or None when it was cancelled directly), ``using``.
"""

queue_paused = Signal()
"""Sent when a queue is paused: no worker claims its jobs until it is resumed.

With ``queue``, ``reason``, ``paused_by``, ``using``; the sender is ``PausedQueue``.
"""

queue_resumed = Signal()
"""Sent when a paused queue is resumed: workers claim its jobs again.

With ``queue``, ``using``; the sender is ``PausedQueue``.
"""

__all__ = [
    "job_cancelled",
    "job_claimed",
    "job_completed",
    "job_failed",
    "job_retrying",
    "job_started",
    "job_submitted",
    "queue_paused",
    "queue_resumed",
]
