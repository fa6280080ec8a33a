"""Retention: finished jobs past their days are deleted, with their executions, in batches."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from django_gigq import Job, JobStatus
from django_gigq.maintenance import pruning
from django_gigq.models import Job as JobRow
from django_gigq.models import JobExecution
from tests import jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(queue, drain):
    """Jobs in each final status, finished 10 days ago, plus a recent completed one."""

    def make(status, days_ago, count=1):
        ids = [queue.submit(Job(f"{status}-{days_ago}", jobs.add, params={"a": 1, "b": 1}))
               for _ in range(count)]  # fmt: skip
        drain()
        JobRow.objects.filter(id__in=ids).update(
            status=status, completed_at=timezone.now() - timedelta(days=days_ago)
        )
        return ids

    return make


def test_prune_deletes_old_jobs_of_each_status_with_their_executions(finished):
    old = finished(JobStatus.COMPLETED, 10, count=5)
    failed = finished(JobStatus.FAILED, 10)
    recent = finished(JobStatus.COMPLETED, 1)
    deleted = pruning.prune({"completed": 7}, using="default", batch_size=2)
    assert deleted == {"completed": 5}
    assert not JobRow.objects.filter(id__in=old).exists()
    assert not JobExecution.objects.filter(job_id__in=old).exists()
    assert JobRow.objects.filter(id__in=failed + recent).count() == 2


def test_dry_run_counts_and_deletes_nothing(finished):
    finished(JobStatus.CANCELLED, 10, count=3)
    assert pruning.prune({"cancelled": 7}, using="default", dry_run=True) == {"cancelled": 3}
    assert JobRow.objects.count() == 3


def test_pending_and_running_jobs_are_never_pruned(queue):
    queue.submit(Job("waiting", jobs.noop))
    JobRow.objects.update(completed_at=timezone.now() - timedelta(days=100))
    assert sum(pruning.prune(30, using="default").values()) == 0
    assert JobRow.objects.count() == 1


def test_retention_is_validated():
    with pytest.raises(ValueError, match="can only prune final statuses"):
        pruning.parse_retention({"pending": 1})
    with pytest.raises(TypeError, match="number >= 0"):
        pruning.parse_retention({"failed": -1})


def test_gigq_prune_command_per_status_and_from_settings(finished, settings, capsys):
    finished(JobStatus.COMPLETED, 10)
    finished(JobStatus.FAILED, 10)
    call_command("gigq", "prune", "--older-than", "30", "--completed", "7")
    assert (
        "Deleted 1 jobs (1 completed, 0 cancelled, 0 failed, 0 timeout)." in capsys.readouterr().out
    )
    with pytest.raises(CommandError, match="say how long to keep finished jobs"):
        call_command("gigq", "prune")
    settings.GIGQ = {**settings.GIGQ, "PRUNE_AFTER_DAYS": {"failed": 5}}
    call_command("gigq", "prune", "--json")
    assert '"failed": 1' in capsys.readouterr().out
    assert not JobRow.objects.exists()


def test_a_worker_prunes_only_when_the_setting_is_on(finished, settings):
    finished(JobStatus.COMPLETED, 10)
    assert pruning.run_once("default") == 0
    settings.GIGQ = {**settings.GIGQ, "PRUNE_AFTER_DAYS": 7}
    assert pruning.run_once("default") == 1
