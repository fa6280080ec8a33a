"""Periodic schedules: the ``Schedule`` model, when its ticks fall, and ``@periodic``.

A schedule names a function (or ``JobType``) with params, and when to run it: a cron
expression (read in ``settings.TIME_ZONE``) or an interval in seconds. Running workers
enqueue its due ticks (``maintenance/scheduler.py``). Schedules are edited in the admin,
or declared in code with ``@periodic``, which workers write to the database when they start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from croniter import croniter
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .db import DatabaseNow


class ScheduleQuerySet(models.QuerySet):
    """The named queries on schedules."""

    def enabled(self) -> ScheduleQuerySet:
        """Enabled schedules."""
        return self.filter(enabled=True)

    def due(self) -> ScheduleQuerySet:
        """Enabled schedules whose next tick has come (database time)."""
        return self.filter(enabled=True, next_run_at__lte=DatabaseNow())

    def unplanned(self) -> ScheduleQuerySet:
        """Enabled schedules with no next tick yet (new, or just re-enabled)."""
        return self.filter(enabled=True, next_run_at__isnull=True)

    def at_tick(self, schedule_id: int, tick: datetime) -> ScheduleQuerySet:
        """The schedule, only while its next tick is still ``tick``.

        Moving ``next_run_at`` through this guard is what makes each tick enqueued once:
        of several workers that saw the same tick due, one update matches. Write
        ``next_run_at`` only as Python datetimes: SQLite stores ``DatabaseNow()`` as text
        of another format, which would never equal the value read back.
        """
        return self.filter(id=schedule_id, next_run_at=tick)

    def declared(self) -> ScheduleQuerySet:
        """Schedules declared in code with ``@periodic``."""
        return self.filter(declared_in_code=True)


class Schedule(models.Model):
    """Run a function (or ``JobType``) with params on a cron expression or an interval."""

    name = models.CharField(max_length=255, unique=True)
    function = models.CharField(
        max_length=255, help_text="Dotted path of a job function or a JobType subclass."
    )
    params = models.JSONField(default=dict, blank=True)
    cron = models.CharField(
        max_length=100,
        blank=True,
        default="",
        help_text="A cron expression such as '0 9 * * *', in the site's time zone.",
    )
    interval = models.PositiveIntegerField(
        null=True, blank=True, help_text="Or: seconds between two runs."
    )
    queue = models.CharField(
        max_length=100, blank=True, default="", help_text="Empty: the job's own (or default)."
    )
    priority = models.IntegerField(null=True, blank=True, help_text="Empty: the job's own (or 0).")
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(
        null=True, blank=True, help_text="The next tick; empty: planned by the next worker."
    )
    last_run_at = models.DateTimeField(null=True, blank=True, help_text="The last tick run.")
    last_job = models.ForeignKey(
        "django_gigq.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_in_code = models.BooleanField(
        default=False, help_text="Declared with @periodic: workers keep it as the code says."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(cron="") & Q(interval__isnull=False) & Q(interval__gte=1))
                | (~Q(cron="") & Q(interval__isnull=True)),
                name="gigq_schedule_cron_or_interval",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def every(self) -> str:
        """When it runs, for people: the cron expression or "every N s"."""
        return self.cron or f"every {self.interval} s"

    def clean(self) -> None:
        """Check the timing and the function path (the admin's form calls this)."""
        check_timing(self.cron, self.interval)
        from .importing import callable_path, check_allowed

        try:
            check_allowed(callable_path(self.function))
        except (TypeError, ValueError) as exc:
            raise ValidationError({"function": str(exc)}) from exc

    def next_tick_after(self, moment: datetime) -> datetime:
        """Return the first tick strictly after ``moment``."""
        return next_tick(self.cron, self.interval, moment)


def check_timing(cron: str, interval: int | None) -> None:
    """Raise ``ValidationError`` unless exactly one of ``cron`` and ``interval`` is set."""
    if bool(cron) == (interval is not None):
        raise ValidationError(
            "set either a cron expression or an interval in seconds (exactly one of them)"
        )
    if cron and not croniter.is_valid(cron):
        raise ValidationError(
            {"cron": f"{cron!r} is not a cron expression; write five fields such as '0 9 * * *'"}
        )
    if interval is not None and interval < 1:
        raise ValidationError({"interval": f"interval must be at least 1 second; got {interval}"})


def next_tick(cron: str, interval: int | None, moment: datetime) -> datetime:
    """Return the first tick of a cron expression or interval strictly after ``moment``.

    Cron expressions are read in ``settings.TIME_ZONE``; interval ticks are ``interval``
    seconds after ``moment``.
    """
    if cron:
        local = timezone.localtime(moment, timezone.get_default_timezone())
        return croniter(cron, local).get_next(datetime)
    return moment + timedelta(seconds=interval or 0)


# -- declared in code -------------------------------------------------------------------


@dataclass(frozen=True)
class DeclaredSchedule:
    """A schedule as ``@periodic`` declared it; workers store it as a ``Schedule`` row."""

    name: str
    function: str
    cron: str = ""
    interval: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    queue: str = ""
    priority: int | None = None

    def fields(self) -> dict[str, Any]:
        """Return the ``Schedule`` fields this declaration sets (all but ``name``)."""
        return {
            "function": self.function,
            "cron": self.cron,
            "interval": self.interval,
            "params": self.params,
            "queue": self.queue,
            "priority": self.priority,
        }


_DECLARED: dict[str, DeclaredSchedule] = {}


def periodic(
    *,
    cron: str = "",
    every: int | float | timedelta | None = None,
    name: str | None = None,
    params: dict[str, Any] | None = None,
    queue: str = "",
    priority: int | None = None,
) -> Callable[[Any], Any]:
    """Run the decorated function (or ``JobType`` class) on a schedule.

    ``cron="0 9 * * *"`` (in ``settings.TIME_ZONE``) or ``every=`` seconds (an int or a
    ``timedelta``). The schedule is named after the function's path unless ``name`` is
    given; workers store it when they start, and keep it as the code says (the admin can
    still disable it). The function is returned unchanged.

    Raises:
        ValueError: not exactly one of ``cron`` and ``every``, an invalid cron expression.
        TypeError: the function is not importable by a worker.
    """
    from .importing import callable_path
    from .validation import validate_params

    if isinstance(every, timedelta):
        every = every.total_seconds()
    interval = None if every is None else int(every)
    try:
        check_timing(cron, interval)
    except ValidationError as exc:
        raise ValueError("; ".join(exc.messages)) from None
    validate_params(params or {})

    def declare(function: Any) -> Any:
        path = callable_path(function, check_resolves=False)
        declared = DeclaredSchedule(
            name=name or path,
            function=path,
            cron=cron,
            interval=interval,
            params=dict(params or {}),
            queue=queue,
            priority=priority,
        )
        _DECLARED[declared.name] = declared
        return function

    return declare


def declared_schedules() -> dict[str, DeclaredSchedule]:
    """Return every schedule declared with ``@periodic`` so far, by name."""
    return dict(_DECLARED)
