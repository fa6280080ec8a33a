"""The child processes that run jobs for a ``gigq_worker`` supervisor.

A child is started with the ``spawn`` method: a fresh interpreter that sets Django up for
itself, so no database connection, lock or thread is ever shared across a fork. It runs
the jobs of one bundle at a time, sent over a pipe, one after the other, and answers
with each one's ``Outcome`` as it ends. It ignores SIGINT and SIGTERM (the supervisor
decides when jobs stop), passes SIGUSR1 to the running job as a cancellation request,
and dies with the supervisor.

Which run a SIGUSR1 is for is written in the child's *cancel slot* (shared memory: the
run's execution id) before the signal is sent: the supervisor learns that a job of the
bundle ended only when it reads the outcome, so by then the child may have moved on to
the next job, which must not take the request for itself.
"""

from __future__ import annotations

import ctypes
import signal
import sys
import time
import uuid
from multiprocessing.connection import Connection
from typing import Any

_PR_SET_PDEATHSIG = 1

#: What the supervisor sends a child whose job was cancelled while running.
CANCEL_SIGNAL = signal.SIGUSR1

#: This child's cancel slot (see the module docstring), set by ``child_main``.
_cancel_slot: Any = None


def child_main(pipe: Connection, using: str, cancel_slot: Any) -> None:
    """Run the bundles of jobs received on ``pipe`` until it closes or sends ``None``."""
    global _cancel_slot
    _cancel_slot = cancel_slot
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(CANCEL_SIGNAL, _ask_job_to_stop)
    _die_with_parent()

    import django

    django.setup()
    from django.db import close_old_connections

    from ..execution import Outcome, run_job
    from .messages import READY, decode_job, encode_outcome, receive, send

    send(pipe, READY)
    while True:
        try:
            bundle = receive(pipe)
        except (EOFError, OSError):
            return  # the supervisor is gone
        if bundle is None:
            return
        for message in bundle:
            job = decode_job(message)
            if _cancel_slot.raw == job.execution_id.bytes:
                outcome = Outcome.stopped(job, "before it started")
            else:
                close_old_connections()
                outcome = run_job(job, using)
            send(pipe, encode_outcome(outcome, time.monotonic()))


def _ask_job_to_stop(signum, frame) -> None:
    # Only a flag: the job sees it through its context (cancel_requested, or its next
    # set_progress), and the supervisor kills this process if the job does not stop.
    from ..context import current_context

    context = current_context()
    if context is not None and context.execution_id == str(uuid.UUID(bytes=_cancel_slot.raw)):
        context.request_cancel()


def _die_with_parent() -> None:
    # A child left running after its supervisor was SIGKILLed would go on with a job that
    # another worker will rescue and run again: ask Linux to kill it with its parent.
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
