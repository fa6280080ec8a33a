"""The examples of the pages on job types and scheduling run, and do what the pages say.

As ``test_docs_examples.py`` (whose helpers these tests use), for the pages on class-based
jobs, unique jobs, schedules, retention and the ready-made job types.
"""

from __future__ import annotations

from django.core import mail

from django_gigq import JobStatus
from django_gigq.models import Job as JobRow
from tests.test_docs_examples import allow_docs_examples, run_example  # noqa: F401


def test_class_based_job_examples_run_as_the_page_says(db, capsys):
    example = run_example("jobtypes.usage", capsys)
    assert (example["folder"] / "out.txt").read_text() == "apples\npears\n"
    assert (example["folder"] / "prices.json").exists()
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]
    etl = JobRow.objects.filter(workflow__isnull=False)
    assert set(etl.values_list("status", flat=True)) == {JobStatus.COMPLETED}


def test_laravel_style_failed_alerts_the_admins(db, settings):
    from django_gigq import JobQueue, Worker
    from docs.examples.jobtypes.jobs import SendEmailJob

    settings.ADMINS = ["ops@example.com"]
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.RefusingBackend"}}
    job = SendEmailJob.to_job(to="bob@unreachable.example", subject="Hi", body="x")
    job.max_attempts = 1
    JobQueue().submit(job)
    Worker(polling_interval=0).run(burst=True)
    assert [m.subject for m in mail.outbox] == ["[Django] Email not sent"]
    assert "connection unexpectedly closed" in mail.outbox[0].body


def test_unique_jobs_example_returns_the_holder_and_frees_the_key(db, capsys):
    run_example("unique.usage", capsys)
    assert JobRow.objects.filter(unique_key="report:42").count() == 2


def test_schedules_example_syncs_declarations_and_runs_a_misfire_once(db, capsys):
    run_example("schedules.usage", capsys)
    assert JobRow.objects.filter(name="archive orders").count() == 1


def test_retention_settings_are_valid_and_the_command_runs(db, capsys):
    from django_gigq.maintenance.pruning import parse_retention
    from docs.examples.retention.settings import GIGQ

    assert parse_retention(GIGQ["PRUNE_AFTER_DAYS"])["failed"] == 30
    from docs.examples.retention import usage  # noqa: F401 - prints as it is imported

    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "Would delete 0 jobs (0 completed, 0 cancelled, 0 failed, 0 timeout).",
        "Deleted 0 jobs (0 completed, 0 cancelled, 0 failed, 0 timeout).",
    ]


def test_ready_made_jobs_example_sends_and_runs(db, capsys):
    run_example("ready.usage", capsys)
    assert [m.subject for m in mail.outbox] == ["Your invoice"]
