"""Job functions for the tests: module-level, so workers in other processes import them."""

import asyncio
import os

from django_gigq import task

from .models import Run


def add(a, b):
    return a + b


def noop():
    return None


def record(key):
    """Write a row per call, so tests can count how often a job really ran."""
    Run.objects.create(key=str(key), pid=os.getpid())
    return key


def fail(message="boom"):
    raise ValueError(message)


def fail_until(key, succeed_on_call):
    """Fail until this key has been called ``succeed_on_call`` times."""
    Run.objects.create(key=key, pid=os.getpid())
    calls = Run.objects.filter(key=key).count()
    if calls < succeed_on_call:
        raise RuntimeError(f"call {calls} fails")
    return calls


def returns_set():
    return {1, 2}


def exits():
    raise SystemExit(3)


async def async_add(a, b):
    await asyncio.sleep(0)
    return a + b


def combine(parent_results):
    return sorted(parent_results.values())


def with_kwargs(**kwargs):
    return sorted(kwargs)


def echo_parent_results(parent_results=None):
    return parent_results


@task
def multiply(x, y):
    return x * y


@task(name="shout", priority=5, max_attempts=2, timeout=30, queue="loud")
def shout(text):
    return text.upper()


def sleep_then_record(key, seconds):
    """Sleep, then write a row: a row means this run reached its end."""
    import time

    time.sleep(seconds)
    Run.objects.create(key=str(key), pid=os.getpid())
    return key


def die():
    """Kill the process running the job, as a segfault or the OOM killer would."""
    os._exit(13)
