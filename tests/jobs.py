"""Job functions for the tests: module-level, so workers in other processes import them."""

import asyncio
import os
import time

from django_gigq import JobCancelled, current_context, task

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


# -- the job context ----------------------------------------------------------------------


def context_details(context):
    """Return what the job context tells a job about its own run."""
    return {
        "job_id": context.job_id,
        "attempt": context.attempt,
        "max_attempts": context.max_attempts,
        "queue": context.queue,
        "same_as_current": current_context() is context,
    }


def report_progress_until_released(key, context):
    """Report progress, then wait (up to 30 s) for the test to write a ``Run`` row ``key``."""
    context.set_progress(0.5, "halfway")
    deadline = time.monotonic() + 30
    while not Run.objects.filter(key=key).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"nobody released {key}")
        time.sleep(0.05)
    return "released"


def report_progress_often(steps, context):
    for step in range(1, steps + 1):
        context.set_progress(step / steps, f"step {step} of {steps}")
    return steps


def report_progress(fraction, context, message=None):
    context.set_progress(fraction, message)


def snooze_once(key, seconds, context):
    """Snooze on the first call, complete on the second; record every call."""
    Run.objects.create(key=key, pid=os.getpid(), attempt_marker=str(context.attempt))
    if Run.objects.filter(key=key).count() == 1:
        context.snooze(seconds)
    return "woke up"


def cancel_itself(reason, context):
    context.cancel(reason)


def raise_job_cancelled():
    raise JobCancelled("nothing left to do")


def read_dependency_results(context):
    return context.dependency_results


def params_named_context(context):
    return context


def progress_from_a_helper():
    """Report progress from code that has no context argument of its own."""
    current_context().set_progress(0.25, "from a helper")
    return current_context().job_id


def work_until_cancelled(key, context):
    """Report progress every 50 ms for up to 60 s: a cancellation ends it at the next report."""
    Run.objects.create(key=key, pid=os.getpid())
    for step in range(1200):
        context.set_progress(step / 1200)
        time.sleep(0.05)
    return "never cancelled"


def wait_until_cancel_requested(job_id):
    """Return once someone has asked to cancel job ``job_id`` (give up after 60 s)."""
    from django_gigq.models import Job as JobRow

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if JobRow.objects.filter(id=job_id, cancel_requested_at__isnull=False).exists():
            return "released"
        time.sleep(0.02)
    return "never released"


def stop_once_asked(key, context):
    """Write a row, then wait up to 60 s for a cancellation request and honour it."""
    Run.objects.create(key=key, pid=os.getpid())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if context.cancel_requested:
            context.cancel("stopped when asked")
        time.sleep(0.01)
    return "never asked"


def fork_then_hang():
    """Leave a grandchild process holding the worker's pipe for 20 s, then hang for 60 s."""
    if os.fork() == 0:
        time.sleep(20)
        os._exit(0)
    time.sleep(60)
