"""Class-based test jobs: module-level, so workers in other processes import them.

Hooks write ``Run`` rows keyed ``"<key>:<hook>"``, so tests can count which ran, and how
often, whatever process ran them.
"""

import asyncio
import os

from django_gigq import JobType
from django_gigq.common_jobs import CallCommand

from .models import Run


def mark(key, what):
    Run.objects.create(key=f"{key}:{what}", pid=os.getpid())


class Recorder(JobType):
    """Fails until call number ``succeed_on`` (0: never), recording every hook."""

    queue = "classy"
    priority = 7
    max_attempts = 3
    timeout = 30

    def run(self, key, succeed_on=1):
        mark(key, "run")
        calls = Run.objects.filter(key=f"{key}:run").count()
        self.calls = calls
        if not succeed_on or calls < succeed_on:
            raise RuntimeError(f"call {calls} fails")
        return {"key": key, "calls": calls}

    def on_start(self):
        mark(self.key, "start")

    def on_success(self, result):
        mark(self.key, f"success={result['calls']}")

    def on_retry(self, exc, attempt, delay):
        mark(self.key, f"retry={attempt}:{delay:g}")

    def on_failure(self, exc):
        mark(self.key, f"failure={exc}")


class Stateful(JobType):
    """Keeps its state in public attributes set by a validating ``__init__``."""

    def __init__(self, width, height):
        if width <= 0 or height <= 0:
            raise ValueError(f"width and height must be positive; got {width}x{height}")
        self.width = width
        self.height = height
        self._scratch = "not stored"

    def run(self):
        return {"area": self.width * self.height, "scratch": hasattr(self, "_scratch")}


class AsyncJob(JobType):
    async def run(self, **params):
        await asyncio.sleep(0)
        return sorted(params)


class Laravel(JobType):
    """Laravel's method names: handle() and failed()."""

    max_attempts = 1

    async def handle(self):
        raise ConnectionError(f"cannot reach {self.to}")

    def failed(self, exception):
        mark(self.to, f"failed={exception}")


class Backoff(JobType):
    """Chooses its own retry delays: 2, 4, 8... seconds."""

    max_attempts = 2

    def run(self, key):
        raise RuntimeError("always")

    def next_retry_delay(self, attempt, exc):
        return 2.0**attempt


class BrokenHooks(JobType):
    def run(self):
        return "ran"

    def on_success(self, result):
        raise RuntimeError("hook broke")


class Commands(CallCommand):
    """The commands the tests may run as jobs."""

    allowed_commands = ("check", "gigq")


class ContextAware(JobType):
    """Reports progress through ``self.context``, and snoozes or cancels when asked to."""

    max_attempts = 3

    def run(self, key, then="complete"):
        mark(key, f"run:{self.context.attempt}")
        self.context.set_progress(0.75, "almost")
        if then == "snooze" and Run.objects.filter(key=f"{key}:run:1").count() == 1:
            self.context.snooze(0)
        if then == "cancel":
            self.context.cancel("not needed any more")
        return self.context.job_id

    def on_success(self, result):
        mark(self.key, "success")

    def on_retry(self, exc, attempt, delay):
        mark(self.key, "retry")

    def on_failure(self, exc):
        mark(self.key, "failure")
