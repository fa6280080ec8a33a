"""The child processes that run jobs for a ``gigq_worker`` supervisor.

A child is started with the ``spawn`` method: a fresh interpreter that sets Django up for
itself, so no database connection, lock or thread is ever shared across a fork. It runs
one job at a time, sent over a pipe, and answers with its ``Outcome``. It ignores SIGINT
and SIGTERM (the supervisor decides when jobs stop), passes SIGUSR1 to the running job as
a cancellation request, and dies with the supervisor.
"""

from __future__ import annotations

import ctypes
import signal
import sys
from multiprocessing.connection import Connection

_PR_SET_PDEATHSIG = 1

#: What the supervisor sends a child whose job was cancelled while running.
CANCEL_SIGNAL = signal.SIGUSR1


def child_main(pipe: Connection, using: str) -> None:
    """Run jobs received on ``pipe`` until it closes or sends ``None``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(CANCEL_SIGNAL, _ask_job_to_stop)
    _die_with_parent()

    import django

    django.setup()
    from django.db import close_old_connections

    from ..execution import run_job
    from .messages import READY, decode_job, encode_outcome

    pipe.send(READY)
    while True:
        try:
            message = pipe.recv()
        except (EOFError, OSError):
            return  # the supervisor is gone
        if message is None:
            return
        close_old_connections()
        pipe.send(encode_outcome(run_job(decode_job(message), using)))


def _ask_job_to_stop(signum, frame) -> None:
    # Only a flag: the job sees it through its context (cancel_requested, or its next
    # set_progress), and the supervisor kills this process if the job does not stop.
    from ..context import current_context

    context = current_context()
    if context is not None:
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
