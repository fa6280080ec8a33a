"""Waiting on several sources at once: child pipes, child exits, the LISTEN socket."""

from __future__ import annotations

from multiprocessing.connection import wait


def wait_for_any(sources: list, timeout: float) -> list:
    """Return the sources that are ready, waiting at most ``timeout`` seconds.

    Sources are connections, objects with ``fileno()``, or file descriptors. A signal
    handler alone does not end the wait (Python resumes it); include a ``SignalWakeup``.
    """
    if not sources:
        import time

        time.sleep(timeout)
        return []
    try:
        return wait(sources, timeout)
    except InterruptedError:
        return []


class SignalWakeup:
    """A file descriptor that becomes readable when this process receives a signal.

    Python's signal handlers run between bytecodes, and a wait in ``select`` is resumed
    after them: a SIGTERM would be acted on only when the wait ends by itself. With
    ``signal.set_wakeup_fd`` the interpreter writes a byte here on every signal, so a wait
    that includes this wakes at once. Only the main thread can install it; elsewhere it is
    inactive and the wait ends at its timeout, as before.
    """

    def __init__(self) -> None:
        self.fd: int | None = None
        self._write_fd: int | None = None
        self._previous = -1

    def install(self) -> None:
        import os
        import signal

        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        try:
            self._previous = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        except ValueError:  # not the main thread
            os.close(read_fd)
            os.close(write_fd)
            return
        self.fd, self._write_fd = read_fd, write_fd

    def drain(self) -> None:
        """Empty the pipe (what it carries does not matter: the flags say what to do)."""
        import os

        if self.fd is None:
            return
        try:
            while os.read(self.fd, 512):
                pass
        except BlockingIOError:
            pass

    def uninstall(self) -> None:
        import os
        import signal

        if self.fd is None:
            return
        signal.set_wakeup_fd(self._previous)
        os.close(self.fd)
        os.close(self._write_fd)
        self.fd = self._write_fd = None
