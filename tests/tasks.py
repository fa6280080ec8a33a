"""``django.tasks`` tasks for the tests, run through ``GigQBackend`` (see ``TASKS`` in settings).

Import only where the framework exists (Django 6.0+, or the django-tasks backport).
"""

import asyncio
import inspect
import os
import time

from django_gigq.tasks_compat import PACKAGE, task_finished

if PACKAGE == "django.tasks":
    from django.tasks import task
else:
    from django_tasks import task

from .models import Run

#: Whether ``@task`` passes extra keywords to the backend's task class (Django 6.1+).
TASK_ACCEPTS_OPTIONS = any(
    parameter.kind is inspect.Parameter.VAR_KEYWORD
    for parameter in inspect.signature(task).parameters.values()
)


@task
def add(a, b):
    return a + b


@task
def fail(message="boom"):
    raise ValueError(message)


@task
def flaky(key, succeed_on_call):
    """Fail until this key has been called ``succeed_on_call`` times."""
    Run.objects.create(key=key, pid=os.getpid())
    calls = Run.objects.filter(key=key).count()
    if calls < succeed_on_call:
        raise RuntimeError(f"call {calls} fails")
    return calls


@task(takes_context=True)
def describe_context(context, label):
    return {
        "label": label,
        "attempt": context.attempt,
        "id": context.task_result.id,
        "status": str(context.task_result.status),
        "worker_ids": list(context.task_result.worker_ids),
    }


@task
async def async_add(a, b):
    await asyncio.sleep(0)
    return a + b


@task
def sleep_for(seconds):
    time.sleep(seconds)


def record_sleep_for_finished(sender, task_result, **kwargs):
    """Record ``task_finished`` for ``sleep_for`` in the database, from whichever process.

    A worker subprocess imports this module when it loads ``sleep_for``, which connects
    this receiver there too; the test reads the ``Run`` row.
    """
    if task_result.task.func is sleep_for.func:
        Run.objects.create(
            key=f"finished {task_result.id}",
            pid=os.getpid(),
            attempt_marker=str(task_result.status),
        )


task_finished.connect(record_sleep_for_finished, dispatch_uid="tests.tasks.sleep_for_finished")


@task
def returns_set():
    return {1, 2}


@task(queue_name="emails", priority=7)
def send_email(to):
    return f"sent to {to}"


if TASK_ACCEPTS_OPTIONS:

    @task(max_attempts=1, timeout=30, retry_delay=5, retry_backoff="exponential")
    def with_job_options():
        return "ok"


@task
def snooze_once(key):
    """Snooze through the job context on the first call; complete on the second."""
    from django_gigq import current_context

    Run.objects.create(key=key, pid=os.getpid())
    if Run.objects.filter(key=key).count() == 1:
        current_context().snooze(0)
    return "awake"
