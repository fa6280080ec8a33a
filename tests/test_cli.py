"""``manage.py gigq``: GigQ's CLI subcommands, their JSON output, errors and exit codes."""

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from django_gigq import Job, JobStatus
from django_gigq.claim import claim_jobs
from django_gigq.models import Job as JobRow
from django_gigq.models import WorkerProcess
from django_gigq.states import WorkerState
from tests import jobs

ROOT = Path(__file__).resolve().parent.parent


def gigq(*args: str) -> str:
    """Run ``manage.py gigq ARGS`` in this process; return its stdout."""
    out = StringIO()
    call_command("gigq", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def gigq_json(*args: str):
    return json.loads(gigq(*args, "--json"))


def gigq_fails(*args: str, match: str) -> str:
    """Run a ``gigq`` that must fail with exit code 1; return what it printed on stdout."""
    out = StringIO()
    with pytest.raises(CommandError, match=match) as raised:
        call_command("gigq", *args, stdout=out, stderr=StringIO())
    assert raised.value.returncode == 1
    return out.getvalue()


def submitted_id(output: str) -> str:
    prefix = "Job submitted: "
    assert output.startswith(prefix), output
    return output.removeprefix(prefix).strip()


# submit


def test_submit_stores_the_job_with_its_options(queue):
    output = gigq(
        "submit", "tests.jobs.add", "--name", "sum", "-p", "a=1", "--param", "b=2",
        "--priority", "7", "--max-attempts", "5", "--timeout", "60",
        "--description", "adds", "--retry-delay", "3", "--queue", "maths",
    )  # fmt: skip

    status = queue.get_status(submitted_id(output))
    assert status["status"] == JobStatus.PENDING
    assert status["function"] == "tests.jobs.add"
    assert (status["name"], status["params"]) == ("sum", {"a": 1, "b": 2})
    assert (status["priority"], status["max_attempts"], status["timeout"]) == (7, 5, 60)
    assert (status["description"], status["retry_delay"], status["queue"]) == ("adds", 3, "maths")


def test_submit_uses_gigq_defaults(queue):
    status = queue.get_status(submitted_id(gigq("submit", "tests.jobs.noop", "--name", "n")))
    assert (status["priority"], status["max_attempts"], status["timeout"]) == (0, 3, 300)
    assert (status["retry_delay"], status["queue"], status["params"]) == (0, "default", {})


def test_submit_parses_param_values_as_json_when_they_can_be(queue):
    output = gigq(
        "submit", "tests.jobs.with_kwargs", "--name", "p",
        "-p", "n=5", "-p", "f=1.5", "-p", "flag=true", "-p", "none=null",
        "-p", 'ids=[1, "x"]', "-p", 'obj={"k": 1}', "-p", 'quoted="5"',
        "-p", "word=hello", "-p", "empty=", "-p", "eq=a=b", "-p", "nan=NaN",
    )  # fmt: skip

    assert queue.get_status(submitted_id(output))["params"] == {
        "n": 5, "f": 1.5, "flag": True, "none": None, "ids": [1, "x"], "obj": {"k": 1},
        "quoted": "5", "word": "hello", "empty": "", "eq": "a=b", "nan": "NaN",
    }  # fmt: skip


def test_submitted_job_runs(queue, drain):
    job_id = submitted_id(gigq("submit", "tests.jobs.add", "--name", "s", "-p", "a=2", "-p", "b=3"))
    assert drain() == 1
    assert queue.get_result(job_id) == 5


def test_submit_json_prints_the_id(queue):
    data = gigq_json("submit", "tests.jobs.noop", "--name", "j")
    assert set(data) == {"id"}
    assert queue.get_status(data["id"])["exists"] is True


@pytest.mark.parametrize(
    ("param", "match"),
    [
        ("a", r"parameter must be key=value; got 'a'"),
        ("=1", "parameter name must not be empty"),
    ],
)
def test_submit_rejects_a_malformed_param(db, param, match):
    gigq_fails("submit", "tests.jobs.add", "--name", "x", "-p", param, match=match)
    assert JobRow.objects.count() == 0


def test_submit_rejects_a_repeated_param(db):
    gigq_fails(
        "submit", "tests.jobs.add", "--name", "x", "-p", "a=1", "-p", "a=2",
        match="parameter 'a' is given twice",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("function", "match"),
    [
        ("tests.no_such_module.f", r"could not import tests.no_such_module.f: No module named"),
        ("tests.jobs.no_such_function", "could not import tests.jobs.no_such_function: module"),
        ("os.path.join", "'os.path.join' is not in an allowed module"),
        ("nodots", "must be a dotted path"),
    ],
)
def test_submit_refuses_a_function_it_cannot_import(db, function, match):
    gigq_fails("submit", function, "--name", "x", match=match)
    assert JobRow.objects.count() == 0


def test_submit_reports_invalid_job_options(db):
    gigq_fails(
        "submit", "tests.jobs.noop", "--name", "x", "--max-attempts", "0",
        match="max_attempts must be between 1 and",
    )  # fmt: skip


def test_submit_requires_a_name(db):
    with pytest.raises(CommandError, match="--name"):
        gigq("submit", "tests.jobs.noop")


# status


def test_status_prints_gigq_lines(queue, drain):
    job_id = queue.submit(Job("failing", jobs.fail, params={"message": "nope"}, max_attempts=1))
    drain()

    lines = gigq("status", job_id).splitlines()

    assert lines[0] == f"Job: failing ({job_id})"
    assert "Status: failed" in lines
    assert "Function: tests.jobs.fail" in lines
    assert "Attempts: 1 / 1" in lines
    assert "Error: nope" in lines
    assert any(line.startswith("Worker: ") for line in lines)
    [created] = [line for line in lines if line.startswith("Created: ")]
    assert len(created.removeprefix("Created: ")) == len("YYYY-MM-DD HH:MM:SS")
    assert "Parameters:" not in lines and "Executions:" not in lines


def test_status_of_a_pending_job_shows_dashes_for_missing_times(queue):
    lines = gigq("status", queue.submit(Job("later", jobs.noop))).splitlines()
    assert "Started: -" in lines and "Completed: -" in lines
    assert not any(line.startswith(("Worker:", "Error:")) for line in lines)


def test_status_shows_params_result_and_executions_when_asked(queue, drain):
    job_id = queue.submit(Job("add", jobs.add, params={"a": 2, "b": 3}))
    drain()

    output = gigq("status", job_id, "--show-params", "--show-result", "--show-executions")

    assert "Parameters:\n  a: 2\n  b: 3\n" in output
    assert "Result:\n  5\n" in output
    [execution] = queue.get_status(job_id)["executions"]
    table = output.split("Executions:\n")[1].splitlines()
    assert table[0].split() == ["ID", "Attempt", "Status", "Started", "Completed", "Error"]
    assert table[2].split()[:3] == [execution["id"], "1", "completed"]


def test_status_says_when_there_is_nothing_to_show(queue):
    job_id = queue.submit(Job("n", jobs.noop))
    output = gigq("status", job_id, "--show-params", "--show-result", "--show-executions")
    assert "Parameters: none" in output
    assert "Executions: none" in output
    assert "Result:" not in output


def test_status_json_is_get_status(queue, drain):
    job_id = queue.submit(Job("add", jobs.add, params={"a": 1, "b": 1}))
    drain()

    data = gigq_json("status", job_id)

    assert data == json.loads(json.dumps(queue.get_status(job_id)))
    assert data["exists"] is True and data["result"] == 2
    assert [execution["status"] for execution in data["executions"]] == ["completed"]


def test_status_of_an_unknown_job_fails(db):
    job_id = str(uuid.uuid4())
    assert gigq_fails("status", job_id, match=f"^Job {job_id} not found.$") == ""
    assert json.loads(gigq_fails("status", job_id, "--json", match="not found")) == {
        "exists": False
    }


def test_status_of_a_malformed_id_fails(db):
    assert gigq_fails("status", "42", "--json", match="job id must be a UUID") == ""


# list


def test_list_prints_a_table_newest_first(queue):
    first = queue.submit(Job("first", jobs.noop, priority=3))
    second = queue.submit(Job("second", jobs.noop))

    lines = gigq("list").splitlines()

    assert lines[0].split() == ["ID", "Name", "Status", "Priority", "Created", "Updated"]
    assert set(lines[1]) == {"-", " "}
    assert [line.split()[:4] for line in lines[2:]] == [
        [second, "second", "pending", "0"],
        [first, "first", "pending", "3"],
    ]
    # Every column starts at the same offset on every line.
    assert len({line.index("pending") for line in lines[2:]}) == 1


def test_list_filters_by_status_and_limits(queue, drain):
    done = queue.submit(Job("done", jobs.noop))
    drain()
    waiting = [queue.submit(Job(f"w{i}", jobs.noop)) for i in range(3)]

    assert [job["id"] for job in gigq_json("list", "--status", "completed")] == [done]
    assert [job["id"] for job in gigq_json("list", "--status", "pending", "--limit", "2")] == (
        waiting[:0:-1]
    )
    assert gigq("list", "--status", "failed") == "No jobs found.\n"


def test_list_json_is_list_jobs(queue):
    queue.submit(Job("one", jobs.add, params={"a": 1, "b": 2}))
    data = gigq_json("list")
    assert data == json.loads(json.dumps(queue.list_jobs()))
    assert data[0]["name"] == "one" and data[0]["params"] == {"a": 1, "b": 2}


def test_list_with_no_jobs(db):
    assert gigq("list") == "No jobs found.\n"
    assert gigq_json("list") == []


def test_list_rejects_an_invalid_status_naming_the_valid_ones(db):
    gigq_fails(
        "list", "--status", "done",
        match="unknown job status 'done'; expected one of: pending, running, completed, "
        "failed, cancelled, timeout",
    )  # fmt: skip


def test_list_rejects_a_negative_limit(db):
    gigq_fails("list", "--limit", "-1", match="limit must be between 0 and .*; got -1")


# cancel and requeue


def test_cancel_a_pending_job(queue):
    job_id = queue.submit(Job("c", jobs.noop))
    assert gigq("cancel", job_id) == f"Job {job_id} cancelled.\n"
    assert queue.get_status(job_id)["status"] == JobStatus.CANCELLED


def test_cancel_a_running_job_asks_its_worker_to_stop_it(queue):
    job_id = queue.submit(Job("long", jobs.noop))
    claim_jobs("worker-a", using="default")
    assert gigq("cancel", job_id) == f"Job {job_id} is running: its worker was asked to stop it.\n"
    assert JobRow.objects.get(id=job_id).cancel_requested_at is not None
    gigq_fails("cancel", job_id, match="or it was already asked to stop")


def test_cancel_fails_unless_the_job_is_pending_or_running(queue, drain):
    job_id = queue.submit(Job("done", jobs.noop))
    drain()
    gigq_fails(
        "cancel", job_id,
        match=f"Could not cancel job {job_id}. It might not be pending or running",
    )  # fmt: skip
    gigq_fails("cancel", str(uuid.uuid4()), match="Could not cancel")
    gigq_fails("cancel", "not-an-id", match="job id must be a UUID")


def test_cancel_json(queue):
    job_id = queue.submit(Job("c", jobs.noop))
    assert gigq_json("cancel", job_id) == {"id": job_id, "cancelled": True, "stopping": False}
    output = gigq_fails("cancel", job_id, "--json", match="Could not cancel")
    assert json.loads(output) == {"id": job_id, "cancelled": False, "stopping": False}


def test_requeue_a_failed_job(queue, drain):
    job_id = queue.submit(Job("f", jobs.fail, max_attempts=1))
    drain()
    assert gigq("requeue", job_id) == f"Job {job_id} requeued.\n"
    status = queue.get_status(job_id)
    assert (status["status"], status["attempts"]) == (JobStatus.PENDING, 0)


def test_requeue_fails_unless_the_job_did_not_succeed(queue):
    job_id = queue.submit(Job("waiting", jobs.noop))
    gigq_fails(
        "requeue", job_id,
        match=f"Could not requeue job {job_id}. It might not be in a failed state.",
    )  # fmt: skip
    output = gigq_fails("requeue", job_id, "--json", match="Could not requeue")
    assert json.loads(output) == {"id": job_id, "requeued": False}
    gigq_fails("requeue", "x", match="job id must be a UUID")


def test_requeue_json(queue):
    job_id = queue.submit(Job("c", jobs.noop))
    queue.cancel(job_id)
    assert gigq_json("requeue", job_id) == {"id": job_id, "requeued": True}


# clear


def test_clear_deletes_completed_and_cancelled_jobs(queue, drain):
    queue.submit(Job("done", jobs.noop))
    drain()
    queue.cancel(queue.submit(Job("cancelled", jobs.noop)))
    queue.submit(Job("waiting", jobs.noop))

    assert gigq("clear") == "Cleared 2 completed jobs.\n"
    assert [job["name"] for job in queue.list_jobs()] == ["waiting"]


def test_clear_before_days_keeps_recent_jobs(queue, drain):
    old = queue.submit(Job("old", jobs.noop))
    recent = queue.submit(Job("recent", jobs.noop))
    drain()
    JobRow.objects.filter(id=old).update(completed_at=timezone.now() - timedelta(days=3))

    assert gigq_json("clear", "--before", "2") == {"cleared": 1}
    assert [job["id"] for job in queue.list_jobs()] == [recent]
    assert gigq("clear", "--before", "0") == "Cleared 1 completed jobs.\n"


def test_clear_rejects_negative_days(db):
    gigq_fails("clear", "--before", "-1", match="--before must be a number of days, 0 or more")


# stats


def test_stats_table_counts_every_status_and_the_total(queue, drain):
    queue.submit(Job("done", jobs.noop))
    drain()
    queue.submit(Job("waiting", jobs.noop))

    lines = gigq("stats").splitlines()

    assert lines[0].split() == ["Status", "Count"]
    assert [line.split() for line in lines[2:]] == [
        ["pending", "1"], ["running", "0"], ["completed", "1"], ["failed", "0"],
        ["cancelled", "0"], ["timeout", "0"], ["total", "2"],
    ]  # fmt: skip


def test_stats_json_is_stats(queue):
    queue.submit(Job("waiting", jobs.noop))
    assert gigq_json("stats") == queue.stats()
    assert set(gigq_json("stats")) == {*JobStatus.values, "total"}


# workers


def make_worker(worker_id: str, state: WorkerState, queues=()) -> WorkerProcess:
    now = timezone.now()
    return WorkerProcess.objects.create(
        id=worker_id,
        hostname="host-a",
        pid=4242,
        queues=list(queues),
        concurrency=2,
        state=state,
        started_at=now - timedelta(minutes=5),
        last_heartbeat=now,
        stopped_at=now if state == WorkerState.STOPPED else None,
    )


def test_workers_lists_live_workers(db):
    make_worker("w-running", WorkerState.RUNNING, queues=["mail", "reports"])
    make_worker("w-stopping", WorkerState.STOPPING)
    make_worker("w-stopped", WorkerState.STOPPED)

    lines = gigq("workers").splitlines()

    assert lines[0].split() == [
        "ID", "Host", "PID", "Queues", "Concurrency", "State", "Started", "Last", "heartbeat",
    ]  # fmt: skip
    rows = {line.split()[0]: line for line in lines[2:]}
    assert set(rows) == {"w-running", "w-stopping"}
    assert "mail, reports" in rows["w-running"] and "all" in rows["w-stopping"]


def test_workers_all_includes_stopped_and_dead_workers(db):
    make_worker("w-running", WorkerState.RUNNING)
    make_worker("w-stopped", WorkerState.STOPPED)
    make_worker("w-dead", WorkerState.DEAD)

    lines = gigq("workers", "--all").splitlines()

    assert lines[0].split()[-1] == "Stopped"
    assert {line.split()[0] for line in lines[2:]} == {"w-running", "w-stopped", "w-dead"}


def test_workers_json(db):
    worker = make_worker("w-1", WorkerState.RUNNING, queues=["mail"])
    make_worker("w-2", WorkerState.STOPPED)

    [data] = gigq_json("workers")

    assert data == {
        "id": "w-1", "hostname": "host-a", "pid": 4242, "queues": ["mail"], "concurrency": 2,
        "state": "running", "started_at": worker.started_at.isoformat(),
        "last_heartbeat": worker.last_heartbeat.isoformat(), "stopped_at": None,
    }  # fmt: skip
    assert {row["id"] for row in gigq_json("workers", "--all")} == {"w-1", "w-2"}


def test_workers_with_none(db):
    assert gigq("workers") == "No live workers.\n"
    assert gigq("workers", "--all") == "No workers recorded.\n"
    assert gigq_json("workers") == []


# options every subcommand takes


@pytest.mark.parametrize(
    "args",
    [
        ["submit", "tests.jobs.noop", "--name", "x"],
        ["status", str(uuid.uuid4())],
        ["list"],
        ["cancel", str(uuid.uuid4())],
        ["requeue", str(uuid.uuid4())],
        ["clear"],
        ["stats"],
        ["workers"],
    ],
)
def test_every_subcommand_takes_database_and_refuses_an_unknown_alias(db, args):
    gigq_fails(*args, "--database", "nowhere", match="unknown database alias 'nowhere'")


def test_database_option_selects_the_alias(queue):
    queue.submit(Job("here", jobs.noop))
    assert [job["name"] for job in gigq_json("list", "--database", "default")] == ["here"]


# exit codes of the real command line


def run_manage(*args: str) -> subprocess.CompletedProcess:
    """Run ``python -m django gigq ARGS`` against the test database, in a new process."""
    env = {
        **os.environ,
        "GIGQ_TEST_DB_NAME": connection.settings_dict["NAME"],
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "django", "gigq", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_command_line_exit_codes(db):
    stats = run_manage("stats", "--json")
    assert (stats.returncode, json.loads(stats.stdout)["total"]) == (0, 0), stats.stderr

    job_id = str(uuid.uuid4())
    missing = run_manage("status", job_id)
    assert missing.returncode == 1
    # Only the last line: system checks may print warnings first.
    assert missing.stderr.splitlines()[-1] == f"CommandError: Job {job_id} not found."

    bad_param = run_manage("submit", "tests.jobs.add", "--name", "x", "-p", "a")
    assert bad_param.returncode == 1
    assert "parameter must be key=value" in bad_param.stderr
    assert "Traceback" not in bad_param.stderr

    # A command line argparse cannot parse is a usage error: exit 2, as for any command.
    usage = run_manage("list", "--limit", "many")
    assert usage.returncode == 2
    assert "invalid int value: 'many'" in usage.stderr
