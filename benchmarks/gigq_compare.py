"""GigQ 0.5.1 draining no-op jobs on SQLite, for the "at least 2x GigQ" comparison.

GigQ is installed into the benchmark's environment only (``pip install gigq==0.5.1``);
django-gigq does not depend on it. Its worker is run as its documentation shows: one
``Worker`` per process on the same SQLite file, polling.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
import time
from typing import Any


def available() -> bool:
    """Whether GigQ is importable here."""
    return importlib.util.find_spec("gigq") is not None


def measure(jobs: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Drain ``jobs`` no-op GigQ jobs with one GigQ worker; return its rate and our ratio."""
    from gigq import Job, JobQueue, Worker

    from .jobs import noop

    path = os.path.join(tempfile.mkdtemp(prefix="gigq-bench-"), "gigq.db")
    queue = JobQueue(path)
    for _ in range(jobs):
        queue.submit(Job(name="noop", function=noop))
    worker = Worker(path, polling_interval=0)
    began = time.perf_counter()
    while worker.process_one():
        pass
    rate = jobs / (time.perf_counter() - began)
    ours = next((r["jobs_per_s"] for r in rows if r["benchmark"] == "drain" and r["W"] == 1), 0)
    return {"benchmark": "gigq", "jobs": jobs, "jobs_per_s": rate, "ratio": ours / rate}
