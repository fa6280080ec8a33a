"""Schedules: declared in code, or created as rows (the admin does the same)."""

from datetime import timedelta

from django.utils import timezone

from . import jobs  # noqa: F401 - importing the module declares its schedules

# --8<-- [start:sync]
from django_gigq.maintenance import scheduler
from django_gigq.models import Schedule

scheduler.run_once("default")  # what each gigq_worker does about every second
rates = Schedule.objects.get(name="refresh rates")
print(rates.interval, rates.params, rates.declared_in_code)  # 300 {'currency': 'EUR'} True
print(Schedule.objects.get(name="docs.examples.schedules.jobs.WeeklyCleanup").cron)
# 0 3 * * 0
# --8<-- [end:sync]

# --8<-- [start:row]
nightly = Schedule.objects.create(
    name="archive orders",
    function="docs.examples.schedules.jobs.archive_orders",
    params={"days": 90},
    cron="30 2 * * *",
)
# --8<-- [end:row]

# Pretend every worker was down for three days: the schedule's ticks were all missed.
scheduler.run_once("default")
Schedule.objects.filter(id=nightly.id).update(next_run_at=timezone.now() - timedelta(days=3))

# --8<-- [start:misfire]
print(scheduler.run_once("default"))  # 1: three missed ticks run once
print(scheduler.run_once("default"))  # 0: the next tick is tonight
nightly.refresh_from_db()
print(nightly.last_job.description)  # schedule 'archive orders', tick ...
# --8<-- [end:misfire]
