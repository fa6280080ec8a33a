"""Unique jobs: at most one pending or running job per key, enforced by the database."""

import json
import subprocess
import sys
import time

import pytest
from django.db import transaction

from django_gigq import Job, JobStatus
from django_gigq.exceptions import DuplicateJob
from django_gigq.models import Job as JobRow
from tests import jobs
from tests.processes import ROOT, worker_env


def keyed(key, **options):
    return Job("keyed", jobs.add, params={"a": 1, "b": 2}, unique_key=key, **options)


def test_second_submit_returns_the_pending_jobs_id(queue):
    first = queue.submit(keyed("report:42"))
    second_job = keyed("report:42")
    assert queue.submit(second_job) == first
    assert second_job.duplicate_of == first
    assert JobRow.objects.count() == 1


def test_unique_key_as_submit_argument(queue):
    first = queue.submit(Job("a", jobs.noop), unique_key="k")
    assert queue.submit(Job("b", jobs.noop), unique_key="k") == first
    assert JobRow.objects.get(id=first).unique_key == "k"


def test_on_duplicate_raise_names_the_holder(queue):
    first = queue.submit(keyed("k"))
    with pytest.raises(DuplicateJob, match=f"job {first} already holds unique_key 'k'") as info:
        queue.submit(keyed("k"), on_duplicate="raise")
    assert info.value.existing_id == first


def test_key_is_free_again_once_the_holder_is_final(queue, drain):
    first = queue.submit(keyed("k"))
    drain()
    assert queue.get_status(first)["status"] == JobStatus.COMPLETED
    second = queue.submit(keyed("k"))
    assert second != first
    cancelled = queue.submit(keyed("other"))
    queue.cancel(cancelled)
    assert queue.submit(keyed("other")) != cancelled


def test_a_running_job_holds_its_key(queue, worker):
    from django_gigq.claim import claim_jobs

    first = queue.submit(keyed("k"))
    claim_jobs("w", using="default")
    assert queue.submit(keyed("k")) == first


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_does_not_break_the_callers_transaction(queue):
    first = queue.submit(keyed("k"))
    with transaction.atomic():
        assert queue.submit(keyed("k")) == first
        with pytest.raises(DuplicateJob):
            queue.submit(keyed("k"), on_duplicate="raise")
        other = queue.submit(Job("after", jobs.noop))  # the transaction goes on
    assert JobRow.objects.filter(id=other).exists()
    assert JobRow.objects.count() == 2


def test_requeue_is_refused_while_another_job_holds_the_key(queue):
    failed = queue.submit(keyed("k"))
    queue.cancel(failed)
    holder = queue.submit(keyed("k"))
    assert holder != failed
    assert queue.requeue_job(failed) is False
    queue.cancel(holder)
    assert queue.requeue_job(failed) is True


def test_submit_many_with_a_taken_key_stores_nothing(queue):
    first = queue.submit(keyed("k"))
    with pytest.raises(DuplicateJob) as info:
        queue.submit_many([Job("x", jobs.noop), keyed("k")])
    assert info.value.existing_id == first
    assert JobRow.objects.count() == 1


def test_invalid_keys_are_refused(queue):
    with pytest.raises(ValueError, match="unique_key must not be empty"):
        keyed("")
    with pytest.raises(ValueError, match="share unique_key"):
        queue.submit_many([keyed("k"), keyed("k")])
    with pytest.raises(ValueError, match="cannot be combined with on_commit"):
        queue.submit(keyed("k"), on_commit=True)


@pytest.mark.django_db(transaction=True)
def test_two_processes_submitting_the_same_keys_at_once_store_each_key_once():
    start_at = time.time() + 3
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.submitter", str(start_at), "100", "race"],
            env=worker_env(),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    reports = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        reports.append(json.loads(out))
    keys = JobRow.objects.filter(unique_key__startswith="race-")
    assert keys.count() == 100
    assert sum(r["stored"] for r in reports) == 100
    assert sum(r["duplicates"] for r in reports) == 100


def test_the_database_itself_refuses_a_second_active_row_with_the_key(queue):
    from django.db import IntegrityError

    from django_gigq.db import DatabaseNow

    def row(status):
        return JobRow(name="raw", function="tests.jobs.noop", unique_key="raw", status=status,
                      run_after=DatabaseNow(), created_at=DatabaseNow(),
                      updated_at=DatabaseNow())  # fmt: skip

    JobRow.objects.bulk_create([row(JobStatus.COMPLETED), row(JobStatus.FAILED)])
    JobRow.objects.bulk_create([row(JobStatus.PENDING)])
    with pytest.raises(IntegrityError), transaction.atomic():
        JobRow.objects.bulk_create([row(JobStatus.RUNNING)])
