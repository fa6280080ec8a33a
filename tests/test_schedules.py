"""Periodic schedules: due ticks enqueued once, misfires run once, code declarations synced."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from django_gigq import JobStatus
from django_gigq.maintenance import scheduler
from django_gigq.models import Job as JobRow
from django_gigq.schedules import Schedule, next_tick, periodic
from tests.processes import start_worker, stop, wait_for

pytestmark = pytest.mark.django_db


def make(name="add", **fields):
    fields.setdefault("interval", 60)
    return Schedule.objects.create(
        name=name, function="tests.jobs.add", params={"a": 1, "b": 2}, **fields
    )


def due(schedule, ago=timedelta(seconds=1)):
    Schedule.objects.filter(id=schedule.id).update(next_run_at=timezone.now() - ago)


def test_a_new_schedule_is_planned_for_its_next_tick():
    schedule = make(interval=30)
    assert scheduler.run_once("default") == 0
    schedule.refresh_from_db()
    wait = (schedule.next_run_at - timezone.now()).total_seconds()
    assert 25 < wait <= 30


def test_a_due_tick_is_enqueued_once_and_the_next_one_planned():
    schedule = make(interval=60, queue="periodic", priority=3)
    scheduler.run_once("default")
    due(schedule)
    assert scheduler.run_once("default") == 1
    assert scheduler.run_once("default") == 0  # the same tick is not enqueued again
    job = JobRow.objects.get()
    assert (job.name, job.function, job.params) == ("add", "tests.jobs.add", {"a": 1, "b": 2})
    assert (job.queue, job.priority) == ("periodic", 3)
    schedule.refresh_from_db()
    assert schedule.last_job_id == job.id
    assert schedule.next_run_at - schedule.last_run_at == timedelta(seconds=60)


def test_a_schedule_missed_for_a_day_runs_once():
    schedule = make(interval=3600)
    scheduler.run_once("default")
    due(schedule, ago=timedelta(days=1))
    assert scheduler.run_once("default") == 1
    assert scheduler.run_once("default") == 0
    schedule.refresh_from_db()
    assert schedule.next_run_at > timezone.now()


def test_disabled_schedules_do_not_run():
    schedule = make(enabled=False)
    due(schedule)
    assert scheduler.run_once("default") == 0


def test_a_job_type_schedule_uses_the_class_options():
    schedule = Schedule.objects.create(
        name="classy", function="tests.job_types.Recorder", params={"key": "s"}, interval=5
    )
    due(schedule)
    scheduler.run_once("default")
    job = JobRow.objects.get()
    assert (job.queue, job.priority, job.timeout, job.params) == ("classy", 7, 30, {"key": "s"})


def test_a_schedule_whose_function_cannot_load_skips_its_tick(caplog):
    schedule = Schedule.objects.create(name="typo", function="tests.jobs.nope", interval=5)
    due(schedule)
    assert scheduler.run_once("default") == 0
    assert "Schedule 'typo': tick" in caplog.text and "skipped" in caplog.text
    schedule.refresh_from_db()
    assert schedule.next_run_at > timezone.now()  # not retried every second


def test_cron_ticks_follow_the_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    moment = datetime(2026, 1, 5, 7, 30, tzinfo=UTC)  # 08:30 in Paris
    assert next_tick("0 9 * * *", None, moment) == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    assert next_tick("", 90, moment) == moment + timedelta(seconds=90)


def test_timing_is_validated():
    with pytest.raises(ValidationError, match="exactly one"):
        Schedule(name="x", function="tests.jobs.add").clean()
    with pytest.raises(ValidationError, match="not a cron expression"):
        Schedule(name="x", function="tests.jobs.add", cron="every day").clean()
    with pytest.raises(ValidationError, match="not in an allowed module"):
        Schedule(name="x", function="os.system", interval=5).clean()
    with pytest.raises(ValueError, match="exactly one"):
        periodic(cron="* * * * *", every=5)


def test_declared_schedules_are_stored_and_kept_as_the_code_says():
    from tests import periodic_jobs  # noqa: F401 - declares two schedules

    assert scheduler.sync_declared("default") >= 2
    minute = Schedule.objects.get(name="tests.periodic_jobs.add_every_minute")
    assert (minute.interval, minute.params, minute.declared_in_code) == (60, {"a": 1, "b": 2}, True)
    morning = Schedule.objects.get(name="morning report")
    assert (morning.cron, morning.function) == ("0 9 * * *", "tests.periodic_jobs.MorningReport")
    Schedule.objects.filter(id=minute.id).update(interval=5, enabled=False)
    scheduler.sync_declared("default")
    minute.refresh_from_db()
    assert (minute.interval, minute.enabled) == (60, False)  # timing restored, pause kept


@pytest.mark.django_db(transaction=True)
def test_three_workers_enqueue_each_tick_of_a_one_second_schedule_once():
    schedule = make(name="every second", interval=1)
    fast = {"SCHEDULER_INTERVAL": 0.1, "POLLING_INTERVAL": 0.2}
    workers = [start_worker("--polling-interval", "0.2", gigq_settings=fast) for _ in range(3)]
    try:
        wait_for(lambda: JobRow.objects.filter(name="every second").count() >= 10,
                 timeout=40, message="ten ticks")  # fmt: skip
    finally:
        results = [stop(worker) for worker in workers]
    for exit_code, _out, err in results:
        assert exit_code == 0, err
    jobs = JobRow.objects.filter(name="every second")
    ticks = sorted(
        datetime.fromisoformat(description.split("tick ")[1])
        for description in jobs.values_list("description", flat=True)
    )
    assert len(ticks) == len(set(ticks)) >= 10  # no tick twice
    assert all((tick - ticks[0]).total_seconds() % 1 == 0 for tick in ticks)  # on the grid
    assert set(jobs.values_list("status", flat=True)) <= {JobStatus.COMPLETED, JobStatus.PENDING,
                                                          JobStatus.RUNNING}  # fmt: skip
    schedule.refresh_from_db()
    assert schedule.last_run_at is not None


def test_admin_adds_and_lists_schedules_and_runs_one_now(admin_client):
    response = admin_client.post(
        "/admin/django_gigq/schedule/add/",
        {"name": "nightly", "function": "tests.jobs.noop", "params": "{}", "enabled": "on",
         "cron": "30 2 * * *", "interval": "", "queue": "", "priority": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    schedule = Schedule.objects.get(name="nightly")
    assert schedule.next_run_at is None  # planned by the next worker
    listing = admin_client.get("/admin/django_gigq/schedule/")
    assert b"30 2 * * *" in listing.content
    response = admin_client.post(
        "/admin/django_gigq/schedule/",
        {"action": "run_now", "_selected_action": [schedule.id]},
        follow=True,
    )
    assert b"1 schedule(s) will run" in response.content
    assert scheduler.run_once("default") == 1


def test_admin_refuses_a_bad_cron_expression(admin_client):
    response = admin_client.post(
        "/admin/django_gigq/schedule/add/",
        {"name": "bad", "function": "tests.jobs.noop", "params": "{}", "cron": "soon",
         "interval": "", "queue": "", "priority": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert b"is not a cron expression" in response.content
