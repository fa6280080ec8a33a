"""Job functions of the chaos suite: each run leaves a ``ChaosRun`` row behind.

They live in an importable module under ``tests`` (an allowed top-level package), so the
``gigq_worker`` processes the suite starts may run them.
"""

from __future__ import annotations

import os
import random
import time

from django_gigq.db import DatabaseNow
from django_gigq.models import Job
from tests.models import ChaosRun


def step(job_id: str, seconds: float = 0.0, fail_rate: float = 0.0) -> str:
    """Record the start, sleep ``seconds``, maybe fail, record the end; return the job id.

    ``fail_rate`` is the chance that the run raises (after recording its end), so drains
    exercise retries too.
    """
    attempt = Job.objects.values_list("attempts", flat=True).get(id=job_id)
    run = ChaosRun.objects.create(
        job_id=job_id, attempt=attempt, pid=os.getpid(), started_at=DatabaseNow()
    )
    if seconds:
        time.sleep(seconds)
    ChaosRun.objects.filter(pk=run.pk).update(ended_at=DatabaseNow())
    if fail_rate and random.random() < fail_rate:
        raise RuntimeError(f"chaos: attempt {attempt} of {job_id} fails on purpose")
    return job_id


def wall_clock() -> float:
    """Return the running process's idea of the time (a Unix timestamp)."""
    from django.utils import timezone

    return timezone.now().timestamp()
