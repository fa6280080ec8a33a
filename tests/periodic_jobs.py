"""Schedules declared in code, imported only by the tests that sync them.

Not named ``jobs``: workers import every app's ``jobs`` module at start, and these
schedules must not run in other tests' workers.
"""

from django_gigq import JobType, periodic


@periodic(every=60, params={"a": 1, "b": 2})
def add_every_minute(a, b):
    return a + b


@periodic(cron="0 9 * * *", name="morning report", queue="reports")
class MorningReport(JobType):
    priority = 5
    timeout = 60

    def run(self):
        return "report"
