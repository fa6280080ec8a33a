"""``gigq health`` and the health view: each unhealthy condition fails them, the rest passes."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from django_gigq import Job
from django_gigq.health import check_health
from django_gigq.models import Job as JobRow
from django_gigq.models import WorkerProcess
from django_gigq.states import WorkerState
from django_gigq.worker.heartbeat import register_worker
from tests import jobs

HEALTH_URL = reverse("django_gigq:health")


def healthy(*args: str) -> str:
    """Run ``gigq health ARGS``, which must pass; return its one line."""
    out = StringIO()
    call_command("gigq", "health", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def unhealthy(*args: str) -> str:
    """Run ``gigq health ARGS``, which must exit 1; return its reason."""
    with pytest.raises(CommandError) as raised:
        call_command("gigq", "health", *args, stdout=StringIO(), stderr=StringIO())
    assert raised.value.returncode == 1
    reason = str(raised.value)
    assert "\n" not in reason
    return reason


def waited(job_id: str, seconds: float) -> None:
    """Make the job look claimable for ``seconds`` already."""
    then = timezone.now() - timedelta(seconds=seconds)
    JobRow.objects.filter(id=job_id).update(run_after=then, updated_at=then, created_at=then)


# Healthy


def test_no_jobs_and_no_workers_is_healthy(db):
    assert healthy() == "ok: 0 live workers, no claimable jobs"


def test_a_worker_serving_every_queue_keeps_fresh_jobs_healthy(queue):
    register_worker("host:1:a", [], 2, using="default")
    queue.submit_many([Job("a", jobs.noop), Job("b", jobs.noop, queue="emails")])

    line = healthy()

    assert line.startswith("ok: 1 live worker, 2 jobs claimable in 2 queues, the oldest waiting")


def test_workers_naming_every_queue_with_jobs_keep_it_healthy(queue):
    register_worker("host:1:a", ["default"], 1, using="default")
    register_worker("host:2:b", ["emails", "reports"], 1, using="default")
    queue.submit_many([Job("a", jobs.noop), Job("b", jobs.noop, queue="emails")])

    assert healthy().startswith("ok: 2 live workers")


def test_jobs_that_are_not_claimable_do_not_count(queue):
    later = timezone.now() + timedelta(hours=1)
    queue.submit(Job("later", jobs.noop, run_after=later))
    first = Job("first", jobs.noop, queue="blocked")
    queue.submit_many([first, Job("second", jobs.noop, queue="blocked", dependencies=[first])])
    JobRow.objects.filter(id=first.id).update(status="running")

    assert healthy() == "ok: 0 live workers, no claimable jobs"


def test_a_job_waits_from_when_it_became_claimable_not_from_its_submission(queue):
    register_worker("host:1:a", [], 1, using="default")
    job_id = queue.submit(Job("unblocked now", jobs.noop))
    waited(job_id, 3600)
    JobRow.objects.filter(id=job_id).update(updated_at=timezone.now())  # its last dependency

    assert healthy("--max-age", "60").startswith("ok:")


def test_paused_queues_count_neither_for_workers_nor_for_age(queue):
    register_worker("host:1:a", ["default"], 1, using="default")
    job_id = queue.submit(Job("held", jobs.noop, queue="emails"))
    waited(job_id, 3600)
    queue.pause("emails")

    assert healthy() == "ok: 1 live worker, no claimable jobs; paused: emails"


# Unhealthy


def test_claimable_jobs_and_no_worker_is_unhealthy(queue):
    queue.submit_many([Job("a", jobs.noop, queue="emails"), Job("b", jobs.noop, queue="emails")])

    assert unhealthy() == "queue emails: 2 jobs claimable and no live worker serves it"


def test_a_queue_no_live_worker_names_is_unhealthy(queue):
    register_worker("host:1:a", ["default"], 1, using="default")
    queue.submit_many([Job("a", jobs.noop), Job("b", jobs.noop, queue="emails")])

    assert unhealthy() == "queue emails: 1 job claimable and no live worker serves it"


@pytest.mark.parametrize(
    "worker_state", ["silent", WorkerState.STOPPING, WorkerState.STOPPED, WorkerState.DEAD]
)
def test_workers_that_are_silent_or_not_running_do_not_serve(queue, worker_state):
    register_worker("host:1:a", [], 1, using="default")
    if worker_state == "silent":  # its heartbeat is older than a lease
        WorkerProcess.objects.update(last_heartbeat=timezone.now() - timedelta(minutes=5))
    else:
        WorkerProcess.objects.update(state=worker_state)
    queue.submit(Job("a", jobs.noop))

    assert unhealthy() == "queue default: 1 job claimable and no live worker serves it"


def test_a_job_waiting_longer_than_max_age_is_unhealthy(queue):
    register_worker("host:1:a", [], 1, using="default")
    job_id = queue.submit(Job("late", jobs.noop, queue="emails"))
    waited(job_id, 600)

    reason = unhealthy("--max-age", "300")

    assert reason.startswith("queue emails: the oldest claimable job has waited 60")
    assert reason.endswith("s, over 300s")
    assert healthy("--max-age", "900").startswith("ok:")


def test_max_age_defaults_to_the_setting(queue, settings):
    register_worker("host:1:a", [], 1, using="default")
    waited(queue.submit(Job("late", jobs.noop)), 120)

    assert healthy().startswith("ok:")  # the default: 300 s
    settings.GIGQ = {**settings.GIGQ, "HEALTH_MAX_AGE": 60}
    assert "over 60s" in unhealthy()


def test_every_problem_is_named_on_the_one_line(queue):
    job_id = queue.submit(Job("late", jobs.noop))
    waited(job_id, 600)

    assert unhealthy() == (
        "queue default: 1 job claimable and no live worker serves it; "
        "queue default: the oldest claimable job has waited 600s, over 300s"
    )


@pytest.fixture
def database_down(transactional_db):
    """Point the job database's connection at a server that does not answer, for a while.

    A missing directory on SQLite, a closed port elsewhere. Transactional: the test's
    connection is closed and opened again.
    """
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-gigq-directory/jobs.sqlite3"
    else:
        with socket.socket() as probe:  # a port that nothing listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(port))
    yield
    connection.close()
    connection.settings_dict.update(saved)


def test_an_unreachable_database_is_unhealthy(database_down):
    reason = unhealthy()

    assert reason.startswith("cannot query the job database 'default': ")


def test_json_output_holds_the_report_and_exit_code_follows_it(queue):
    queue.submit(Job("a", jobs.noop, queue="emails"))
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("gigq", "health", "--json", stdout=out, stderr=StringIO())

    report = json.loads(out.getvalue())
    assert report["healthy"] is False
    assert report["queues"]["emails"]["claimable"] == 1
    assert (report["live_workers"], report["paused_queues"], report["max_age"]) == (0, [], 300.0)


@pytest.mark.parametrize("value", ["0", "-5", "soon", "nan"])
def test_max_age_must_be_a_number_of_seconds_above_zero(db, value):
    with pytest.raises(CommandError, match="--max-age"):
        call_command("gigq", "health", "--max-age", value, stdout=StringIO(), stderr=StringIO())
    with pytest.raises(ValueError, match="max_age must be more than 0"):
        check_health(using="default", max_age=float(value) if value != "soon" else 0)


# The view


def test_view_answers_200_with_the_report_when_healthy(client, queue):
    register_worker("host:1:a", [], 1, using="default")
    queue.submit(Job("a", jobs.noop))

    response = client.get(HEALTH_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["healthy"] is True and body["reason"].startswith("ok: 1 live worker")
    assert body["queues"]["default"]["claimable"] == 1
    assert "no-cache" in response["Cache-Control"]


def test_view_answers_503_with_the_reason_when_unhealthy(client, queue):
    waited(queue.submit(Job("a", jobs.noop)), 120)

    response = client.get(HEALTH_URL, {"max_age": "60"})

    assert response.status_code == 503
    assert response.json()["reason"] == (
        "queue default: 1 job claimable and no live worker serves it; "
        "queue default: the oldest claimable job has waited 120s, over 60s"
    )


def test_view_answers_503_when_the_database_is_unreachable(client, database_down):
    response = client.get(HEALTH_URL)

    assert response.status_code == 503
    assert response.json()["reason"].startswith("cannot query the job database")


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan"])
def test_view_refuses_a_max_age_that_is_not_seconds_above_zero(client, db, value):
    response = client.get(HEALTH_URL, {"max_age": value})

    assert response.status_code == 400
    assert "max_age must be a number of seconds above 0" in response.json()["error"]


def test_view_answers_only_get_and_head(client, db):
    assert client.head(HEALTH_URL).status_code == 200
    assert client.post(HEALTH_URL).status_code == 405
