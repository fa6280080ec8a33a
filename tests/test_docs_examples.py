"""The documentation's examples run, and do what the pages say they do.

Every code example of ``docs/`` is a file under ``docs/examples/`` that the pages include
with pymdownx.snippets. The tests here run each one against the test database (job runs
use the in-process worker, standing in for ``manage.py gigq_worker``) and check:

- each ``print(...)  # TEXT`` line printed TEXT (``...`` stands for anything, and TEXT may
  go on with ``: an explanation``); a ``print(...)`` without a comment is followed by a
  ``# TEXT`` line;
- the outcomes in the database that the pages describe;
- that the reference pages name every setting, command option and ``JobQueue`` method.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import BaseCommand
from django.db import transaction

from django_gigq import JobQueue, JobStatus
from django_gigq import conf as gigq_conf
from django_gigq.exceptions import GigQCompatibilityWarning
from django_gigq.importing import allowed_modules
from django_gigq.models import Job as JobRow
from django_gigq.models import JobDependency, JobExecution
from tests.processes import worker_env

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"


@pytest.fixture(autouse=True)
def allow_docs_examples(settings):
    """Let workers run the examples' job functions, which live in the ``docs`` package."""
    settings.GIGQ = {**settings.GIGQ, "ALLOWED_MODULES": [*allowed_modules(), "docs"]}


# running examples and checking what they print


def expected_output(path: Path) -> list[str]:
    """Return what the ``# TEXT`` comments of ``path``'s ``print`` lines promise."""
    lines = path.read_text().splitlines()
    expected = []
    for number, line in enumerate(lines):
        code = line.strip()
        if not code.startswith("print("):
            continue
        _code, marker, text = code.partition(")  # ")
        if not marker:
            following = lines[number + 1].strip()
            assert following.startswith("# "), f"{path.name}:{number + 1}: say what it prints"
            text = following[2:]
        expected.append(text)
    return expected


def matches(printed: str, promised: str) -> bool:
    """Whether ``printed`` is what ``promised`` describes."""
    if _literal(printed) is not None and _literal(printed) == _literal(promised):
        return True  # equal values: PostgreSQL's jsonb does not keep the order of keys
    pattern = ".*".join(re.escape(part) for part in promised.split("..."))
    # "True: it was pending" promises "True", and says why.
    return re.fullmatch(pattern, printed, re.DOTALL) is not None or (
        bool(printed) and promised.startswith(printed + ": ")
    )


def _literal(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def run_example(name: str, capsys, **init_globals) -> dict:
    """Run ``docs/examples/NAME.py`` and check it printed what its comments say."""
    namespace = runpy.run_module(f"docs.examples.{name}", init_globals=init_globals)
    printed = capsys.readouterr().out.splitlines()
    promised = expected_output(EXAMPLES / f"{name.replace('.', '/')}.py")
    assert len(printed) == len(promised), (printed, promised)
    for line, promise in zip(printed, promised, strict=True):
        assert matches(line, promise), f"printed {line!r}; the example says {promise!r}"
    return namespace


def test_matches_reads_wildcards_and_explanations():
    assert matches("True", "True: it was pending")
    assert matches("failed 1", "failed 1")
    assert matches("job 1 (orphan) depends on x", "job ... (orphan) depends on ...")
    assert not matches("False", "True: it was pending")
    assert not matches("pending", "completed")
    assert matches("{'b': 1, 'a': 2}", "{'a': 2, 'b': 1}")
    assert not matches("{'b': 1}", "{'b': 2}")


# Getting started


def test_quick_start_submits_and_a_worker_completes_the_job(db, capsys):
    example = run_example("reports.quickstart", capsys)
    job = JobRow.objects.get(id=example["job_id"])
    assert job.function == "docs.examples.reports.jobs.send_report"
    assert job.status == JobStatus.COMPLETED


# User guide: defining jobs


def test_job_options_are_kept_on_the_job(capsys):
    example = run_example("defining.options", capsys)
    job = example["job"]
    assert (job.queue, job.priority, job.max_attempts, job.timeout) == ("images", 10, 5, 60)
    assert (job.retry_backoff, job.retry_max_delay) == ("exponential", 600)


def test_async_job_function_is_awaited(db, worker):
    from django_gigq import Job
    from docs.examples.defining.jobs import fetch_exchange_rate

    job_id = JobQueue().submit(Job("rate", fetch_exchange_rate, params={"currency": "USD"}))
    worker.run(burst=True)
    assert JobQueue().get_result(job_id) == {"currency": "USD", "rate": 1.08}


def test_job_with_run_after_waits_until_then(db, capsys):
    example = run_example("defining.later", capsys)
    assert JobRow.objects.get(id=example["job_id"]).attempts == 0


def test_what_a_worker_could_not_run_is_refused_at_job(capsys):
    run_example("defining.rejected", capsys)


def test_functions_outside_the_allowlist_are_refused_at_submit(db, capsys):
    run_example("defining.allowlist", capsys)
    assert not JobRow.objects.exists()


# User guide: @task


def test_task_functions_stay_callable_and_make_jobs(db, capsys):
    example = run_example("tasks.usage", capsys)
    email = JobRow.objects.get(id=example["email_id"])
    assert (email.queue, email.priority, email.retry_delay) == ("mail", 5, 30)


# User guide: the django.tasks backend


@pytest.fixture
def django_tasks():
    """Skip where this Django has no ``django.tasks`` (before 6.0)."""
    if importlib.util.find_spec("django.tasks") is None:
        pytest.skip("django.tasks needs Django 6.0 or later")


def test_tasks_run_through_gigq_backend_and_results_read_back(db, capsys, django_tasks):
    example = run_example("django_tasks.usage", capsys)
    invoice = JobRow.objects.get(id=example["invoice"].id)
    assert (invoice.queue, invoice.priority) == ("emails", 10)
    assert JobRow.objects.get(id=example["feed"].id).priority == -5


def test_backend_options_on_the_page_are_every_tasks_job_defaults(db, settings, django_tasks):
    from docs.examples.django_tasks.settings import TASKS
    from docs.examples.django_tasks.tasks import send_welcome

    settings.TASKS = TASKS
    job = JobRow.objects.get(id=send_welcome.enqueue("b@example.com").id)
    assert (job.timeout, job.max_attempts, job.retry_delay) == (300, 5, 10)
    assert (job.retry_backoff, job.retry_max_delay) == ("exponential", 600)


def test_per_task_options_on_the_page_reach_the_job_on_django_6_1(db, django_tasks):
    from tests.tasks import TASK_ACCEPTS_OPTIONS

    if not TASK_ACCEPTS_OPTIONS:
        pytest.skip("@task(**options) needs Django 6.1 or later")
    from docs.examples.django_tasks.options import charge_card, sync_crm

    card = JobRow.objects.get(id=charge_card.enqueue(7).id)
    crm = JobRow.objects.get(id=sync_crm.enqueue(8).id)
    assert (card.timeout, card.max_attempts) == (30, 1)
    assert (crm.max_attempts, crm.retry_delay, crm.retry_backoff) == (8, 5, "exponential")
    assert crm.retry_max_delay == 300


# User guide: signals and logging


@pytest.mark.django_db(transaction=True)
def test_signal_receivers_hear_the_retry_and_the_failure(capsys):
    from django_gigq import signals
    from docs.examples.signals import receivers

    receivers.alerts.clear()
    try:
        run_example("signals.usage", capsys)
    finally:
        signals.job_failed.disconnect(receivers.alert_on_failure)
        signals.job_retrying.disconnect(receivers.note_retry)
        signals.job_completed.disconnect(receivers.record_duration)


def test_logging_example_configures_the_django_gigq_logger():
    from docs.examples.signals.logging_settings import LOGGING

    assert LOGGING["loggers"]["django_gigq"]["level"] == "INFO"


# User guide: transactions


@pytest.mark.django_db(transaction=True)
def test_jobs_follow_their_transaction_and_on_commit_waits_for_it(capsys):
    run_example("transactions.usage", capsys)
    assert JobRow.objects.count() == 2  # the rolled-back one is gone


@pytest.mark.django_db(transaction=True)
def test_task_enqueued_on_commit_is_stored_only_if_the_order_commits(django_tasks):
    from docs.examples.transactions import tasks

    tasks.place_order(5)
    assert JobRow.objects.get().params == {"args": [5], "kwargs": {}}
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.place_order(6)
        raise RuntimeError("the surrounding request failed")
    assert JobRow.objects.count() == 1


# User guide: security


def test_a_row_pointed_at_os_system_is_refused_by_the_worker(db, capsys):
    run_example("security.refused", capsys)


def test_params_over_the_size_limit_are_refused(capsys):
    run_example("security.too_large", capsys)


# User guide: JobQueue


def test_every_job_queue_method_returns_what_the_page_says(db, capsys):
    run_example("queue.usage", capsys)
    # clear_completed took the executions and dependency rows of what it deleted with it.
    assert JobExecution.objects.count() == 1  # the failed attempt of the requeued job


# User guide: workflows and dependencies


def test_workflow_runs_in_dependency_order_and_passes_parent_results(db, capsys):
    example = run_example("pipeline.workflow", capsys)
    queue = example["queue"]
    statuses = {queue.get_status(job_id)["status"] for job_id in example["ids"]}
    assert statuses == {JobStatus.COMPLETED}
    report = JobRow.objects.get(id=example["report"].id)
    assert report.queue == "reports"  # @task(queue=...) applies to add_task
    assert report.workflow_id is not None


def test_dependencies_wait_and_unknown_or_cyclic_ones_are_refused(db, capsys):
    run_example("pipeline.dependencies", capsys)
    assert not JobRow.objects.filter(name__in=["orphan", "first", "second"]).exists()


def test_failed_dependency_cancels_dependents_and_requeue_reopens_them(db, capsys):
    example = run_example("pipeline.failure", capsys)
    assert JobRow.objects.get(id=example["totals"].id).status == JobStatus.COMPLETED
    assert JobDependency.objects.count() == 2


# User guide: errors and retries


def test_retries_then_failure_and_errors_that_fail_at_once(db, capsys):
    example = run_example("errors.retries", capsys)
    queue = example["queue"]
    charge = queue.get_status(example["charge_id"])
    assert [e["status"] for e in charge["executions"]] == ["failed"] * 3
    for job_id in (example["tags_id"], example["typo_id"]):
        assert len(queue.get_status(job_id)["executions"]) == 1


# User guide: from inside a job


def test_job_context_examples_report_snooze_cancel_and_read_results(db, capsys):
    example = run_example("context.usage", capsys)
    snoozed = JobRow.objects.get(name="publish")
    assert snoozed.run_after > snoozed.latest_execution.completed_at  # later, not now
    assert JobRow.objects.get(name="total").status == JobStatus.COMPLETED
    assert example["queue"].get_status(example["job_id"])["progress"] == 1.0


# User guide: workers


def test_in_process_worker_takes_its_queues_only(db, capsys):
    run_example("workers.embedded", capsys)
    assert set(JobRow.objects.values_list("status", flat=True)) == {JobStatus.COMPLETED}


def test_worker_command_lines_on_the_page_parse():
    parser = load_command_class("django_gigq", "gigq_worker").create_parser(
        "manage.py", "gigq_worker"
    )
    for args in command_lines("gigq_worker.sh", "gigq_worker"):
        parser.parse_args(args)


def test_workers_page_names_every_gigq_worker_option():
    page = (DOCS / "guide" / "workers.md").read_text()
    own = load_command_class("django_gigq", "gigq_worker").create_parser("manage.py", "gigq_worker")
    base = BaseCommand().create_parser("manage.py", "any")
    common = {option for action in base._actions for option in action.option_strings}
    for action in own._actions:
        for option in action.option_strings:
            if option.startswith("--") and (option not in common or option == "--verbosity"):
                assert f"`{option}" in page, f"workers.md does not describe {option}"


# User guide: the gigq command


def command_lines(filename: str, command: str) -> list[list[str]]:
    """Return the arguments of each ``python manage.py COMMAND ...`` line of an example."""
    lines = []
    text = (EXAMPLES / "cli" / filename).read_text().replace("\\\n", " ")
    for line in text.splitlines():
        words = shlex.split(line, comments=True)
        if words:
            assert words[:3] == ["python", "manage.py", command], line
            lines.append(words[3:])
    return lines


def test_gigq_command_lines_on_the_page_succeed(db, capsys):
    job_id = None
    for args in command_lines("gigq.sh", "gigq"):
        args = [job_id if arg == "$JOB_ID" else arg for arg in args]
        call_command("gigq", *args)
        output = capsys.readouterr().out
        if args[0] == "submit":
            job_id = output.split()[-1]
    # Cancelled, then requeued: pending again, so clear left it alone.
    assert JobRow.objects.get(id=job_id).status == JobStatus.PENDING


def test_cli_page_names_every_subcommand_and_option():
    page = (DOCS / "guide" / "cli.md").read_text()
    parser = load_command_class("django_gigq", "gigq").create_parser("manage.py", "gigq")
    (subcommands,) = [a for a in parser._actions if a.dest == "subcommand"]
    for name, subparser in subcommands.choices.items():
        assert f"### `{name}`" in page, f"cli.md has no section for {name}"
        section = page.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
        for action in subparser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in section or option in ("--database", "--json"), (
                        f"cli.md does not describe {name} {option}"
                    )
    assert "`--database ALIAS`" in page and "`--json`" in page


def test_job_queue_page_names_every_public_method():
    page = (DOCS / "guide" / "job-queue.md").read_text()
    for name in dir(JobQueue):
        if not name.startswith("_") and callable(getattr(JobQueue, name)):
            assert f"`{name}(" in page, f"job-queue.md does not describe JobQueue.{name}"


# Reference: settings


def test_settings_example_lists_every_setting_with_its_default(settings):
    from docs.examples.settings import GIGQ

    settings.GIGQ = {}
    names = [name for name in vars(gigq_conf.GigQSettings) if name.isupper()]
    assert sorted(GIGQ) == sorted(names)
    defaults = gigq_conf.GigQSettings()
    for name in names:
        assert getattr(defaults, name) == GIGQ[name], name
    page = (DOCS / "reference" / "settings.md").read_text()
    for name in names:
        assert f"## `{name}`" in page, f"settings.md has no section for {name}"


def test_jobs_database_example_routes_django_gigq_models_there(settings):
    from django_gigq.routers import GigQRouter

    example = runpy.run_path(str(EXAMPLES / "project" / "jobs_database.py"))
    settings.GIGQ = example["GIGQ"]
    assert example["DATABASE_ROUTERS"] == ["django_gigq.routers.GigQRouter"]
    assert set(example["DATABASES"]) == {"default", "jobs"}
    assert GigQRouter().db_for_write(JobRow) == "jobs"
    assert GigQRouter().allow_migrate("jobs", "django_gigq") is True
    assert GigQRouter().allow_migrate("default", "django_gigq") is False


# Deployment


def test_systemd_unit_gives_workers_longer_than_their_shutdown_timeout():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read_string((EXAMPLES / "deploy" / "gigq-worker.service").read_text())
    service = unit["Service"]
    words = shlex.split(service["ExecStart"])
    assert words[1:3] == ["manage.py", "gigq_worker"]
    parser = load_command_class("django_gigq", "gigq_worker").create_parser(
        "manage.py", "gigq_worker"
    )
    options = parser.parse_args(words[3:])
    assert "--worker-id" not in words  # an id used before is refused: let each run make one
    assert service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) > options.shutdown_timeout
    environment = dict(pair.split("=", 1) for pair in shlex.split(service["Environment"]))
    assert environment["DB_PORT"] == "5432"


def test_pooled_settings_send_workers_to_the_server(monkeypatch):
    path = EXAMPLES / "deploy" / "pooled_settings.py"
    web = runpy.run_path(str(path))["DATABASES"]["default"]
    assert (web["PORT"], web["DISABLE_SERVER_SIDE_CURSORS"]) == ("6432", True)
    monkeypatch.setenv("DB_HOST", "db.internal")
    monkeypatch.setenv("DB_PORT", "5432")
    worker = runpy.run_path(str(path))["DATABASES"]["default"]
    assert (worker["HOST"], worker["PORT"]) == ("db.internal", "5432")


def test_compose_file_waits_longer_than_the_default_shutdown_timeout():
    text = (EXAMPLES / "deploy" / "compose.yaml").read_text()
    grace = int(re.search(r"stop_grace_period: (\d+)s", text).group(1))
    assert grace > gigq_conf.DEFAULT_SHUTDOWN_TIMEOUT
    assert '["/app/entrypoint.sh"]' in text


@pytest.mark.django_db(transaction=True)
def test_container_entrypoint_runs_the_worker(tmp_path):
    from django_gigq import Job
    from docs.examples.reports.jobs import send_report

    job_id = JobQueue().submit(Job("report", send_report, params={"recipient": "a@example.com"}))
    # Django's manage.py, guard included: spawned child processes import it.
    (tmp_path / "manage.py").write_text(
        "import sys\n"
        "from django.core.management import execute_from_command_line\n"
        "if __name__ == '__main__':\n"
        "    execute_from_command_line(sys.argv)\n"
    )
    env = worker_env({"ALLOWED_MODULES": ["docs", "tests"]})
    env["PYTHON"] = sys.executable
    # --skip-checks: this tests the script, not the project's system checks.
    arguments = ["--burst", "--concurrency", "1", "--skip-checks"]
    run = subprocess.run(
        ["sh", str(EXAMPLES / "deploy" / "entrypoint.sh"), *arguments],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "Processed 1 job(s)." in run.stdout
    assert JobQueue().get_status(job_id)["status"] == JobStatus.COMPLETED


# Coming from GigQ


def test_gigq_code_runs_with_only_the_import_changed(db, capsys):
    with pytest.warns(GigQCompatibilityWarning, match="'jobs.db' is ignored"):
        run_example("gigq_port.script", capsys)


# Coming from Celery / django-tasks-db / django-q2


def test_other_systems_idioms_run_as_the_page_says(db, capsys):
    example = run_example("from_others.usage", capsys)
    later = JobRow.objects.get(id=example["later_id"])
    assert later.status == JobStatus.PENDING and later.queue == "images"
    charge = JobRow.objects.get(id=example["charge_id"])
    assert (charge.max_attempts, charge.retry_backoff) == (4, "exponential")


# The site itself


def test_api_reference_shows_every_public_name():
    import django_gigq
    from django_gigq import signals

    pages = DOCS / "reference" / "api"
    root = (pages / "index.md").read_text()
    for name in django_gigq.__all__:
        if name != "__version__":
            assert f"::: django_gigq.{name}\n" in root, f"reference/api/index.md lacks {name}"
    signal_page = (pages / "signals.md").read_text()
    for name in signals.__all__:
        assert f"::: django_gigq.signals.{name}\n" in signal_page, f"signals.md lacks {name}"


def test_every_example_file_is_included_by_a_page():
    pages = "\n".join(path.read_text() for path in DOCS.rglob("*.md"))
    for path in EXAMPLES.rglob("*"):
        if path.is_file() and path.suffix != ".pyc" and path.name != "__init__.py":
            relative = path.relative_to(ROOT).as_posix()
            # Job modules are included by section, the rest whole or by section.
            assert f'"{relative}' in pages, f"no page includes {relative}"


SNIPPET = re.compile(r'^ *--8<-- "docs/examples/[\w./-]+(:[a-z][-a-z0-9]*)?"$')


def test_pages_include_examples_with_well_formed_snippet_lines():
    # A formatter that takes the snippet line for Python ("--8 < --") leaves it as text.
    for path in DOCS.rglob("*.md"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "docs/examples/" in line and "--8" in line:
                assert SNIPPET.match(line), f"{path.name}:{number}: malformed snippet {line!r}"


def test_site_link_checker_finds_missing_pages_and_anchors(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "check_site_links", ROOT / "scripts" / "check_site_links.py"
    )
    checker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checker)
    (tmp_path / "guide").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="guide/">ok</a> <a href="guide/#top">ok</a> <a href="#here">ok</a>'
        '<h1 id="here"></h1> <a href="https://example.com/x">external</a>'
        '<a href="guide/#nowhere">bad anchor</a> <a href="missing/">bad page</a>'
    )
    (tmp_path / "guide" / "index.html").write_text('<h2 id="top"></h2><img src="../x.svg">')
    problems = checker.check_site(tmp_path)
    assert sorted(problems) == [
        "guide/index.html: ../x.svg: no such file",
        "index.html: guide/#nowhere: no element with id 'nowhere'",
        "index.html: missing/: no such file",
    ]
