"""Waiting on several sources at once: child pipes, child exits, the LISTEN socket."""

from __future__ import annotations

from multiprocessing.connection import wait


def wait_for_any(sources: list, timeout: float) -> list:
    """Return the sources that are ready, waiting at most ``timeout`` seconds.

    A signal (SIGTERM) interrupts the wait: the caller's loop then sees its stop flag.
    """
    if not sources:
        import time

        time.sleep(timeout)
        return []
    try:
        return wait(sources, timeout)
    except InterruptedError:
        return []
