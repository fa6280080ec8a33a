"""Cancel and requeue jobs for the admin, through ``JobQueue``, and say what happened.

The admin's actions and the buttons on a job's page both come here, and both end in
``JobQueue.cancel`` / ``JobQueue.requeue_job``: the same guarded transitions the API and
the CLI use, so an operator and a worker acting at once cannot both win.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.text import capfirst

from ..conf import gigq_settings
from ..models import Job
from ..queue import JobQueue
from ..states import UNSUCCESSFUL_STATES

#: The most jobs one action changes; past this the operator is asked to narrow the list.
ACTION_LIMIT = 1000

#: How many names a message lists before "and N more".
NAMES_SHOWN = 10

NOT_CANCELLABLE = "neither pending nor running (or already asked to stop)"
NOT_REQUEUEABLE = "not failed, timed out or cancelled"
BLOCKED = "waiting on a dependency that did not succeed (requeue that one first)"


@dataclass
class Outcome:
    """What an operation did: the jobs it changed, and the ones it skipped and why."""

    verb: str
    changed: list[Job] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    #: Running jobs asked to stop: their workers end them cancelled shortly.
    stopping: list[Job] = field(default_factory=list)

    def skip(self, label: str, reason: str) -> None:
        """Record that the job ``label`` was skipped, for ``reason``."""
        self.skipped.setdefault(reason, []).append(label)


def cancel_jobs(jobs: Iterable[Job], using: str) -> Outcome:
    """Cancel each pending job (and its dependents), and ask each running job's worker to
    stop it, with ``JobQueue.cancel``."""
    queue = JobQueue(using=using)
    outcome = _apply(jobs, queue.cancel, Outcome("cancelled"), using, _cancel_refusal)
    running = set(
        Job.objects.using(using)
        .filter(pk__in=[job.pk for job in outcome.changed])
        .running()
        .values_list("pk", flat=True)
    )
    outcome.stopping = [job for job in outcome.changed if job.pk in running]
    outcome.changed = [job for job in outcome.changed if job.pk not in running]
    return outcome


def requeue_jobs(jobs: Iterable[Job], using: str) -> Outcome:
    """Requeue each failed, timed-out or cancelled job with ``JobQueue.requeue_job``."""
    queue = JobQueue(using=using)
    return _apply(jobs, queue.requeue_job, Outcome("requeued"), using, _requeue_refusal)


def _apply(
    jobs: Iterable[Job],
    operation: Callable[[str], bool],
    outcome: Outcome,
    using: str,
    refusal: Callable[[str], str],
) -> Outcome:
    refused: dict = {}
    for job in jobs:
        if operation(str(job.pk)):
            outcome.changed.append(job)
        else:
            refused[job.pk] = job.name
    # Read the states after the attempts: the guarded update, not an earlier read, decided.
    states = dict(Job.objects.using(using).filter(pk__in=list(refused)).values_list("pk", "status"))
    for pk, name in refused.items():
        status = states.get(pk)
        if status is None:
            outcome.skip(name, "deleted meanwhile")
        else:
            outcome.skip(f"{name} ({status})", refusal(status))
    return outcome


def _cancel_refusal(status: str) -> str:
    return NOT_CANCELLABLE


def _requeue_refusal(status: str) -> str:
    return BLOCKED if status in UNSUCCESSFUL_STATES else NOT_REQUEUEABLE


def report(model_admin: admin.ModelAdmin, request: HttpRequest, outcome: Outcome) -> None:
    """Tell the user how many jobs changed, and which were skipped and why.

    Each change is also written to the job's admin history.
    """
    for job in outcome.changed:
        model_admin.log_change(request, job, f"{capfirst(outcome.verb)} from the admin.")
    if outcome.changed:
        names = _names([job.name for job in outcome.changed])
        model_admin.message_user(
            request,
            f"{capfirst(outcome.verb)} {_jobs(len(outcome.changed))}: {names}.",
            messages.SUCCESS,
        )
    for job in outcome.stopping:
        model_admin.log_change(request, job, "Cancelled while running, from the admin.")
    if outcome.stopping:
        grace = gigq_settings.CANCEL_GRACE_SECONDS
        model_admin.message_user(
            request,
            f"Asked the workers of {_jobs(len(outcome.stopping))} to stop "
            f"{'it' if len(outcome.stopping) == 1 else 'them'}: "
            f"{_names([job.name for job in outcome.stopping])}. A running job ends "
            f"cancelled once it stops, within {grace:g} s of its worker hearing of it.",
            messages.SUCCESS,
        )
    for reason, labels in outcome.skipped.items():
        model_admin.message_user(
            request,
            f"Skipped {_jobs(len(labels))}, {reason}: {_names(labels)}.",
            messages.WARNING,
        )
    if not (outcome.changed or outcome.skipped or outcome.stopping):
        model_admin.message_user(request, "No jobs were selected.", messages.INFO)


def first_jobs(queryset, limit: int | None = None) -> list[Job] | None:
    """Return the selected jobs, or ``None`` when there are more than ``limit``.

    ``limit`` defaults to ``ACTION_LIMIT``.
    """
    limit = ACTION_LIMIT if limit is None else limit
    jobs = list(queryset.select_related(None).only("id", "name", "status")[: limit + 1])
    return None if len(jobs) > limit else jobs


def _jobs(n: int) -> str:
    return f"{n} job" if n == 1 else f"{n} jobs"


def _names(labels: list[str]) -> str:
    shown = ", ".join(labels[:NAMES_SHOWN])
    more = len(labels) - NAMES_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


__all__ = ["ACTION_LIMIT", "Outcome", "cancel_jobs", "first_jobs", "report", "requeue_jobs"]
