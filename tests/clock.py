"""A wall clock that is wrong on purpose, for workers in the clock-skew chaos scenario.

``tests/settings.py`` calls ``skew_wall_clock`` when ``GIGQ_TEST_CLOCK_SKEW`` (seconds,
may be negative) is set, so a ``gigq_worker`` process and its children read a wall clock
that is off by that much through ``time.time``, ``time.time_ns`` and
``django.utils.timezone.now`` (what django-gigq could use to read the time). The
monotonic clock is left alone (it has no date), and so is the ``datetime.datetime``
class: replacing it would break every ``isinstance`` check Django makes on datetimes.
django-gigq must decide leases, schedules and rescues with the database's clock, so a
skewed worker behaves exactly like the others.
"""

from __future__ import annotations

import datetime
import time


def skew_wall_clock(seconds: float) -> None:
    """Shift this process's wall clock by ``seconds``."""
    offset = datetime.timedelta(seconds=seconds)
    real_time, real_time_ns = time.time, time.time_ns
    time.time = lambda: real_time() + seconds
    time.time_ns = lambda: real_time_ns() + int(seconds * 1e9)

    from django.utils import timezone

    timezone.now = lambda: datetime.datetime.now(datetime.UTC) + offset
