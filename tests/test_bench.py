"""gigq_bench's suite, run in miniature: every measurement works on this database."""

import pytest

from django_gigq import Job, JobQueue
from django_gigq.bench import BENCH_QUEUE, report, runner
from django_gigq.models import Job as JobRow
from tests import jobs
from tests.processes import worker_env

TINY = runner.Sizes(
    submit_one=5,
    submit_bulk=20,
    drain=20,
    workers=(2,),
    pickup=5,
    backlog=30,
    scale_jobs=10,
    finished_rows=50,
    fan_out=5,
)


@pytest.mark.django_db(transaction=True)
def test_the_suite_measures_everything_and_touches_only_its_own_queue(monkeypatch):
    # The benchmark starts gigq_worker as users do; it must find the test database.
    monkeypatch.setattr("os.environ", worker_env())
    mine = JobQueue().submit(Job("not the benchmark's", jobs.noop))

    rows = list(runner.run("default", TINY, log=lambda line: None))

    kinds = [row["benchmark"] for row in rows]
    assert kinds == [
        "submit one by one",
        "submit_many",
        "drain",
        "pick-up",
        "scale",
        "scale",
        "scale",
        "fan-out/fan-in",
    ]
    drain = rows[2]
    assert drain["executions"] == 20 and drain["duplicates"] == 0
    assert all(row["jobs_per_s"] > 0 for row in rows if "jobs_per_s" in row)
    assert [row["finished_rows"] for row in rows if row["benchmark"] == "scale"] == [0, 0, 50]
    assert not JobRow.objects.in_queue(BENCH_QUEUE).exists(), "the benchmark left jobs behind"
    assert JobQueue().get_status(mine)["status"] == "pending"
    assert all(report.describe(row) for row in rows)
    assert "<svg" in report.plot_svg(rows)


@pytest.mark.django_db(transaction=True)
def test_only_the_measurements_asked_for_run():
    rows = list(runner.run("default", TINY, log=lambda line: None, only=["submit"]))
    assert [row["benchmark"] for row in rows] == ["submit one by one", "submit_many"]
    assert not JobRow.objects.in_queue(BENCH_QUEUE).exists()
    with pytest.raises(ValueError, match="unknown measurements \\['submits'\\]"):
        list(runner.run("default", TINY, only=["submits"]))


def test_the_benchmark_script_offers_the_suites_measurements():
    from benchmarks import run

    assert run.GROUPS == runner.GROUPS


@pytest.mark.django_db(transaction=True)
def test_gigq_bench_runs_only_the_measurements_asked_for():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("gigq_bench", "--only", "submit", stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines[1:3]] == ["submit", "submit_many"]
    assert not any(line.startswith("drain") for line in lines)
    # Quick sizes: the report says where its targets are judged.
    assert "sizes=quick" in lines[0]
    assert "targets (judged at full sizes, --full; quick sizes say less):" in lines
