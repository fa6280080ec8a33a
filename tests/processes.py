"""Helpers for tests that run real ``gigq_worker`` processes against the test database."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

#: Short periods so rescue-related tests finish in seconds.
FAST_LEASES = {"HEARTBEAT_INTERVAL": 0.3, "LEASE_SECONDS": 2, "RESCUE_INTERVAL": 0.5}


def worker_env(gigq_settings=None):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        GIGQ_TEST_DB_NAME=str(connection.settings_dict["NAME"]),
        GIGQ_TEST_SETTINGS=json.dumps(gigq_settings or {}),
        PYTHONPATH=str(ROOT),
    )
    return env


def start_worker(*args, gigq_settings=None):
    """Start ``manage.py gigq_worker`` in a process group of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "django", "gigq_worker", *args],
        env=worker_env(gigq_settings),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for(condition, timeout=30, interval=0.05, message="condition"):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def kill_group(process, sig=signal.SIGKILL):
    """Send ``sig`` to the worker and its children."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def stop(process, timeout=30):
    """SIGTERM the worker, wait for it, and return (exit code, stdout, stderr)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
        stdout, stderr = process.communicate()
    return process.returncode, stdout, stderr
