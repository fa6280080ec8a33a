"""Real ``gigq_worker`` processes for the chaos suite, and the chaos done to them.

Every process is started in a session of its own and tracked by pid; ``Fleet.close``
stops what is left (SIGCONT, SIGTERM, then SIGKILL of each worker's process group), so a
failing scenario leaves nothing behind. Worker output goes to files, never to pipes
nobody reads (a full pipe would freeze a worker and fake a bug).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection

from tests.processes import ROOT, worker_env

PROFILE = os.environ.get("GIGQ_CHAOS", "short")
FULL = PROFILE == "full"

#: Leases of a few seconds, so a killed worker's jobs come back quickly.
CHAOS_LEASES = {"HEARTBEAT_INTERVAL": 0.3, "LEASE_SECONDS": 2, "RESCUE_INTERVAL": 0.5}


class Worker:
    """One ``gigq_worker`` process (a supervisor and its children)."""

    def __init__(self, args: list[str], env: dict[str, str], log_dir: Path, name: str):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "django", "gigq_worker", *args],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.pid = self.process.pid

    def children(self) -> list[int]:
        """Pids of the supervisor's child processes (the ones running jobs)."""
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the whole worker: supervisor and children."""
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            pass

    def close(self, timeout: float = 30) -> int | None:
        """Stop the worker (SIGTERM, then SIGKILL); return its exit code."""
        if self.alive():
            self.signal(signal.SIGCONT)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        self.signal(signal.SIGKILL)  # children left behind, if any
        self.process.wait()
        self.log.close()
        return self.process.returncode


class Fleet:
    """The workers of one scenario; a context manager that cleans up after itself."""

    def __init__(self, concurrency: int = 2, gigq_settings: dict | None = None) -> None:
        self.concurrency = concurrency
        self.gigq_settings = gigq_settings or CHAOS_LEASES
        self.workers: list[Worker] = []
        self.kills = 0
        self.log_dir = Path(tempfile.mkdtemp(prefix="gigq-chaos-"))
        self.rng = random.Random(os.environ.get("GIGQ_CHAOS_SEED"))

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def start(self, *extra: str, env: dict[str, str] | None = None) -> Worker:
        args = ["--concurrency", str(self.concurrency), "--polling-interval", "0.2", *extra]
        worker_environment = worker_env(self.gigq_settings)
        worker_environment.update(env or {})
        worker = Worker(args, worker_environment, self.log_dir, f"w{len(self.workers)}")
        self.workers.append(worker)
        return worker

    @property
    def live(self) -> list[Worker]:
        return [worker for worker in self.workers if worker.alive()]

    def kill_random_process(self) -> int | None:
        """SIGKILL one process of a live worker, supervisor or child, chosen at random.

        A killed supervisor is replaced by a new worker, as a process manager would do.
        Returns the pid killed.
        """
        candidates = [(w, pid) for w in self.live for pid in [w.pid, *w.children()]]
        if not candidates:
            return None
        worker, pid = self.rng.choice(candidates)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return None
        self.kills += 1
        if pid == worker.pid:
            worker.process.wait()
            worker.signal(signal.SIGKILL)  # its children die with it; make sure
            self.start()
        return pid

    def close(self) -> dict[str, int | None]:
        """Stop every worker; return their exit codes by name."""
        return {worker.name: worker.close() for worker in self.workers}


def wait_for(condition, timeout: float, message: str, interval: float = 0.1):
    """Poll ``condition`` (database errors count as not yet) until truthy or ``timeout``."""
    from django.db import DatabaseError, InterfaceError

    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except (DatabaseError, InterfaceError):
            connection.close()  # the server may be restarting
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def skewed_clock_env(seconds: float) -> dict[str, str]:
    """Environment for a worker whose wall clock is ``seconds`` off (see tests/clock.py)."""
    return {"GIGQ_TEST_CLOCK_SKEW": str(seconds)}
