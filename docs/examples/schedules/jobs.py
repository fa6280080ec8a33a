"""Schedules declared in code: workers store them when they start."""

# --8<-- [start:declared]
from datetime import timedelta

from django_gigq import JobType, periodic


@periodic(cron="0 9 * * 1-5")  # 09:00 on weekdays, in settings.TIME_ZONE
def send_daily_digest():
    return "digest sent"


@periodic(every=timedelta(minutes=5), name="refresh rates", params={"currency": "EUR"})
def refresh_rates(currency):
    return {"currency": currency, "rate": 1.08}


@periodic(cron="0 3 * * 0", queue="maintenance")
class WeeklyCleanup(JobType):
    timeout = 3600

    def run(self):
        return "cleaned"
# --8<-- [end:declared]


def archive_orders(days):
    return {"archived_older_than": days}
