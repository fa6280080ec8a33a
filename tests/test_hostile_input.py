"""Hostile input at every entry point: a clear error, and nothing stored half-way.

``Job(...)``, ``JobQueue``, the ``gigq`` command, the admin and the ``django.tasks``
backend are fed wrong types, huge and deeply nested params, NaN and Infinity, NUL bytes
(PostgreSQL refuses them in text and jsonb), lone surrogates (not encodable as UTF-8),
SQL-looking strings, unknown and malformed ids, cycles and 10,000 dependencies. Each is
either stored faithfully or refused with an error that says what is wrong, and a refusal
leaves every table as it was.
"""

from __future__ import annotations

import ast
import math
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from django_gigq import Job, JobQueue, JobStatus
from django_gigq.models import Job as JobRow
from django_gigq.models import JobDependency, JobExecution, Workflow
from tests import jobs

#: Dependencies of one job: 10,000 in the full profile (GIGQ_CHAOS=full), fewer by default.
MANY = 10_000 if os.environ.get("GIGQ_CHAOS") == "full" else 2_000

PACKAGE = Path(__file__).resolve().parent.parent / "django_gigq"


def table_sizes() -> tuple[int, int, int, int]:
    return (
        JobRow.objects.count(),
        JobExecution.objects.count(),
        JobDependency.objects.count(),
        Workflow.objects.count(),
    )


@pytest.fixture
def unchanged(db):
    """Assert at the end of the test that no job table gained or lost a row."""
    before = table_sizes()
    yield
    assert table_sizes() == before, "a refused input left rows behind"


def deep(levels: int):
    value: object = "bottom"
    for _ in range(levels):
        value = {"down": value}
    return value


# -- Job(...) and JobQueue.submit ------------------------------------------------------

#: NUL characters and lone surrogates: refused as ValueError or TypeError (either says why).
UNSTORABLE = (TypeError, ValueError)

HOSTILE_PARAMS = [
    ({"x": math.nan}, TypeError, "JSON-serializable"),
    ({"x": math.inf}, TypeError, "JSON-serializable"),
    ({"x": [-math.inf]}, TypeError, "JSON-serializable"),
    ({"x": "nul\x00byte"}, UNSTORABLE, "NUL"),
    ({"nul\x00key": 1}, UNSTORABLE, "NUL"),
    ({"x": {"y": ["\x00"]}}, UNSTORABLE, "NUL"),
    ({"x": "lone \ud800 surrogate"}, UNSTORABLE, "surrogate"),
    ({"lone\udfff": 1}, UNSTORABLE, "surrogate"),
    ({"x": b"bytes"}, TypeError, "JSON-serializable"),
    ({"x": {1, 2}}, TypeError, "JSON-serializable"),
    ({1: "int key"}, TypeError, "keys must be strings"),
    ([1, 2], TypeError, "params must be a dict"),
    ("a=1", TypeError, "params must be a dict"),
    ({"x": deep(100_000)}, TypeError, "nested too deeply"),
    ({"x": "a" * (2 * 1024 * 1024)}, ValueError, "over the limit"),
]


@pytest.mark.parametrize("params, error, message", HOSTILE_PARAMS)
def test_hostile_params_are_refused_before_anything_is_stored(unchanged, params, error, message):
    with pytest.raises(error, match=message):
        JobQueue().submit(Job("hostile", jobs.with_kwargs, params=params))


HOSTILE_OPTIONS = [
    ("name", "n\x00ul", ValueError, "NUL"),
    ("name", "lone \ud83d", ValueError, "surrogate"),
    ("name", "x" * 10_000, ValueError, "at most 255"),
    ("name", None, TypeError, "name must be a str"),
    ("description", "\udc80", ValueError, "surrogate"),
    ("queue", "q\x00", ValueError, "NUL"),
    ("queue", "", ValueError, "queue"),
    ("priority", "high", TypeError, "priority must be an int"),
    ("priority", 2**31, ValueError, "between"),
    ("priority", math.nan, TypeError, "priority must be an int"),
    ("max_attempts", 0, ValueError, "between 1"),
    ("max_attempts", True, TypeError, "must be an int"),
    ("timeout", 1.5, TypeError, "timeout must be an int"),
    ("timeout", -1, ValueError, "between 1"),
    ("retry_delay", math.inf, TypeError, "retry_delay must be an int"),
    ("dependencies", "not-a-list", (TypeError, ValueError), "UUID|dependenc"),
    ("dependencies", [12345], (TypeError, ValueError), "job id|dependenc"),
    ("dependencies", ["'; DROP TABLE django_gigq_job; --"], ValueError, "UUID"),
    ("dependencies", ["0190f5c2-zzzz-7000-8000-000000000000"], ValueError, "UUID"),
]


@pytest.mark.parametrize("field, value, error, message", HOSTILE_OPTIONS)
def test_hostile_job_options_are_refused(unchanged, field, value, error, message):
    with pytest.raises(error, match=message):
        Job("hostile" if field != "name" else value, jobs.noop,
            **({} if field == "name" else {field: value}))  # fmt: skip


def test_sql_looking_text_is_stored_verbatim_and_runs(queue, drain):
    sneaky = "x'); DROP TABLE django_gigq_job; -- \" OR 1=1 /* ` ; \\"
    job_id = queue.submit(
        Job(
            sneaky,
            jobs.with_kwargs,
            params={sneaky: sneaky, "q": "' OR '1'='1"},
            description=sneaky,
            queue="q'; DELETE FROM django_gigq_job; --",
        )  # fmt: skip
    )
    job = queue.get_status(job_id)
    assert (job["name"], job["description"], job["params"][sneaky]) == (sneaky, sneaky, sneaky)
    assert queue.stats()["pending"] == 1  # the table is still there


def test_unusual_but_valid_text_round_trips(queue):
    text = "emoji 🚀, RTL \u202e, zero-width \u200b, combining e\u0301, tab\tnewline\n"
    job_id = queue.submit(Job(text[:255], jobs.with_kwargs, params={text: [text, 0.5, -7]}))
    stored = queue.get_status(job_id)
    assert stored["name"] == text[:255]
    assert stored["params"] == {text: [text, 0.5, -7]}


def test_unknown_dependency_is_refused_and_nothing_is_stored(unchanged):
    ghost = "0190f5c2-0000-7000-8000-000000000000"
    with pytest.raises(ValueError, match=ghost):
        JobQueue().submit_many([Job("a", jobs.noop), Job("b", jobs.noop, dependencies=[ghost])])


def test_dependency_cycle_is_refused_and_nothing_is_stored(unchanged):
    a, b, c = Job("a", jobs.noop), Job("b", jobs.noop), Job("c", jobs.noop)
    a.dependencies, b.dependencies, c.dependencies = [c.id], [a.id], [b.id]
    with pytest.raises(ValueError, match="dependency cycle"):
        JobQueue().submit_many([a, b, c])


def test_one_bad_job_in_a_batch_stores_none_of_it(unchanged):
    good = [Job(f"good {n}", jobs.noop) for n in range(50)]
    bad = Job("bad", jobs.noop)
    bad.params = {"x": "\x00"}  # made hostile after the constructor checked it
    with pytest.raises(UNSTORABLE, match="NUL"):
        JobQueue().submit_many([*good, bad])


def test_thousands_of_dependencies_are_counted(queue):
    parents = [Job(f"p{n}", jobs.noop) for n in range(MANY)]
    child = Job("child", jobs.noop, dependencies=parents)
    queue.submit_many([*parents, child])
    assert JobRow.objects.get(id=child.id).pending_dependencies == MANY
    assert JobDependency.objects.filter(job_id=child.id).count() == MANY


def test_thousands_of_unknown_dependencies_are_refused_clearly(unchanged):
    from django_gigq.db import uuid7

    ghosts = [str(uuid7()) for _ in range(MANY)]
    with pytest.raises(ValueError, match="unknown|not submitted|does not exist|no job"):
        JobQueue().submit(Job("orphan", jobs.noop, dependencies=ghosts))


def test_submitting_the_same_job_twice_is_refused(queue):
    job = Job("once", jobs.noop)
    queue.submit(job)
    with pytest.raises(ValueError, match="already submitted"):
        queue.submit(job)
    assert JobRow.objects.count() == 1


@pytest.mark.parametrize("not_a_job", [None, "job", {"name": "x"}, 42])
def test_submit_refuses_what_is_not_a_job(unchanged, not_a_job):
    with pytest.raises(TypeError, match="Job"):
        JobQueue().submit_many([not_a_job])


# -- JobQueue methods with hostile ids --------------------------------------------------

MALFORMED_IDS = ["not-a-uuid", "' OR 1=1 --", "", "\x00", "\ud800", "0190f5c2" * 10]
WRONG_TYPE_IDS = [None, 42, 4.2, ["0190f5c2-0000-7000-8000-000000000000"], b"bytes"]
UNKNOWN_ID = "0190f5c2-0000-7000-8000-000000000000"


@pytest.mark.parametrize("method", ["cancel", "requeue_job", "get_status", "get_result"])
@pytest.mark.parametrize("job_id", MALFORMED_IDS + WRONG_TYPE_IDS)
def test_queue_methods_refuse_malformed_ids(unchanged, method, job_id):
    with pytest.raises((ValueError, TypeError), match="job id must be"):
        getattr(JobQueue(), method)(job_id)


def test_queue_methods_answer_unknown_ids_without_changing_anything(unchanged):
    queue = JobQueue()
    assert queue.cancel(UNKNOWN_ID) is False
    assert queue.requeue_job(UNKNOWN_ID) is False
    assert queue.get_status(UNKNOWN_ID) == {"exists": False}
    with pytest.raises(KeyError):
        queue.get_result(UNKNOWN_ID)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda q: q.list_jobs(status="' OR 1=1 --"), ValueError),
        (lambda q: q.list_jobs(limit=-1), ValueError),
        (lambda q: q.list_jobs(limit="10"), TypeError),
        (lambda q: q.clear_completed(before_timestamp="yesterday"), ValueError),
        (lambda q: q.clear_completed(before_timestamp=12), TypeError),
    ],
)
def test_queue_methods_refuse_hostile_arguments(unchanged, call, error):
    with pytest.raises(error):
        call(JobQueue())


# -- the gigq command ---------------------------------------------------------------------


def gigq_fails(*args: str, match: str) -> None:
    with pytest.raises(CommandError, match=match):
        call_command("gigq", *args, stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize(
    "args, match",
    [
        (("submit", "os.system", "--name", "x", "-p", "command=id"), "not in an allowed module"),
        (("submit", "tests.reexports.getpid", "--name", "x"), "not in an allowed|defined in"),
        (("submit", "tests.jobs.add", "--name", "x", "-p", "a=\x00", "-p", "b=1"), "NUL"),
        (("submit", "tests.jobs.add", "--name", "x", "--priority", "1e9999"), "priority|invalid"),
        (("submit", "tests.jobs.noop", "--name", "n\x00"), "NUL"),
        (("cancel", "' OR 1=1 --"), "job id must be"),
        (("requeue", "not-a-uuid"), "job id must be"),
        (("status", "\x00"), "job id must be"),
        (("cancel", UNKNOWN_ID), "Could not cancel"),
    ],
)
def test_gigq_command_refuses_hostile_arguments(unchanged, args, match):
    gigq_fails(*args, match=match)


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_gigq_command_keeps_nan_words_as_text_not_numbers(queue, word):
    out = StringIO()
    call_command("gigq", "submit", "tests.jobs.with_kwargs", "--name", "x", "-p", f"a={word}",
                 stdout=out, stderr=StringIO())  # fmt: skip
    job_id = out.getvalue().strip().rsplit(" ", 1)[-1]
    assert queue.get_status(job_id)["params"] == {"a": word}


# -- the admin ----------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["cancel_selected", "requeue_selected"])
@pytest.mark.parametrize("selected", [["not-a-uuid"], ["' OR 1=1 --"], [UNKNOWN_ID], []])
def test_admin_actions_with_hostile_selections_change_nothing(admin_client, action, selected):
    JobQueue().submit(Job("bystander", jobs.noop))
    before = table_sizes()
    response = admin_client.post(
        reverse("admin:django_gigq_job_changelist"),
        {"action": action, "_selected_action": selected, "index": 0},
        follow=True,
    )
    assert response.status_code in (200, 400)
    assert table_sizes() == before
    assert JobRow.objects.get().status == JobStatus.PENDING


@pytest.mark.parametrize("button", ["cancel", "requeue"])
@pytest.mark.parametrize("object_id", ["not-a-uuid", "' OR 1=1 --", UNKNOWN_ID, "..%2F..%2F"])
def test_admin_buttons_with_hostile_ids_change_nothing(admin_client, button, object_id):
    before = table_sizes()
    url = reverse("admin:django_gigq_job_changelist") + f"{object_id}/{button}/"
    response = admin_client.post(url)
    assert response.status_code in (302, 404)
    assert table_sizes() == before


def test_admin_actions_require_csrf_and_permission(django_user_model):
    job_id = JobQueue().submit(Job("guarded", jobs.noop))
    url = reverse("admin:django_gigq_job_changelist")
    data = {"action": "cancel_selected", "_selected_action": [job_id], "index": 0}

    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin)
    assert strict.post(url, data).status_code == 403  # no CSRF token

    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.set(Permission.objects.filter(codename="view_job"))
    client = Client()
    client.force_login(viewer)
    client.post(url, data, follow=True)
    assert JobRow.objects.get(id=job_id).status == JobStatus.PENDING


# -- the django.tasks backend -------------------------------------------------------------

tasks = pytest.importorskip("tests.tasks")


@pytest.mark.parametrize(
    "args, message",
    [
        ((math.nan, 1), "JSON"),
        ((math.inf, 1), "JSON"),
        (("\x00", "b"), "NUL"),
        (("\ud800", "b"), "surrogate"),
        ((deep(100_000), 1), "nested too deeply"),
        ((b"\xff\xfe invalid UTF-8", 1), "Unsupported value"),
    ],
)
def test_tasks_backend_refuses_hostile_arguments(unchanged, args, message):
    from django_gigq.tasks_compat import InvalidTask

    with pytest.raises((TypeError, ValueError, InvalidTask), match=message):
        tasks.add.enqueue(*args)


@pytest.mark.parametrize("result_id", ["not-a-uuid", "' OR 1=1 --", "\x00", UNKNOWN_ID])
def test_tasks_backend_get_result_of_hostile_ids_does_not_exist(unchanged, result_id):
    from django_gigq.tasks_compat import TaskResultDoesNotExist

    with pytest.raises(TaskResultDoesNotExist):
        tasks.add.get_result(result_id)


# -- what workers run ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "function",
    ["tests.reexports.getpid", "tests.jobs.os.system", "builtins.eval", "os.system",
     "tests.jobs.Run", "django_gigq.models.Job.objects.all"],
)  # fmt: skip
def test_worker_refuses_callables_outside_the_allowlist(queue, worker, function):
    job_id = queue.submit(Job("ok", jobs.noop))
    JobRow.objects.filter(id=job_id).update(function=function)  # as a hostile editor would
    worker.process_one()
    job = queue.get_status(job_id)
    assert job["status"] == JobStatus.FAILED, job
    assert job["attempts"] == 1  # refused at once, never retried


def test_nothing_in_django_gigq_unpickles_or_imports_pickle():
    forbidden = {"pickle", "cPickle", "dill", "marshal", "shelve", "cloudpickle"}
    offenders = []
    for source in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
            offenders += [f"{source.name}: {name}" for name in names if name in forbidden]
    assert offenders == []
