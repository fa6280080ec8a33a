"""Claiming: served by the claim index, and exactly-once across worker processes."""

import pytest
from django.db import connection

from django_gigq import Job, JobStatus
from django_gigq.claim import claim_jobs
from django_gigq.models import Job as JobRow
from django_gigq.models import JobExecution
from tests import jobs
from tests.models import Run
from tests.processes import start_worker


def analyze_job_table():
    table = JobRow._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(f"ANALYZE TABLE {table}")
            cursor.fetchall()
        elif connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute(f"ANALYZE {table}")


# ANALYZE TABLE commits on MySQL, so this test cannot run inside a rolled-back transaction.
@pytest.mark.django_db(transaction=True)
def test_claim_query_uses_the_claim_index_when_most_rows_are_finished(queue):
    queue.submit_many([Job(f"old{i}", jobs.noop) for i in range(3000)])
    JobRow.objects.update(status=JobStatus.COMPLETED)
    queue.submit_many([Job(f"new{i}", jobs.noop) for i in range(5)])
    analyze_job_table()

    plan = JobRow.objects.claimable(["default"]).values("id")[:10].explain()

    assert "gigq_job_claim" in plan, plan  # one of the two claim indexes


def _sorts(plan: str) -> bool:
    """Whether a query plan sorts rows instead of reading them from an index in order."""
    if connection.vendor == "postgresql":
        return "Sort" in plan
    if connection.vendor == "mysql":
        return "filesort" in plan
    return "TEMP B-TREE" in plan


# A claim must cost the same with 10 claimable jobs or 10 million: it reads an index in
# claim order and stops after its batch, instead of sorting every claimable row.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("queues", [None, ["default"]], ids=["every queue", "one queue"])
def test_claim_reads_claimable_jobs_in_order_without_sorting_the_backlog(queue, queues):
    queue.submit_many([Job(f"n{i}", jobs.noop, priority=i % 5) for i in range(3000)])
    analyze_job_table()

    plan = JobRow.objects.claimable(queues).values("id")[:10].explain()

    assert "gigq_job_claim" in plan, plan
    assert not _sorts(plan), plan


def test_claim_takes_a_batch_in_claim_order(queue):
    ids = queue.submit_many([Job(f"n{i}", jobs.noop, priority=i % 3) for i in range(10)])
    claimed = claim_jobs("w", limit=4, using="default")
    assert len(claimed) == 4
    assert [job.id for job in claimed] == sorted(
        (job.id for job in claimed), key=lambda i: -JobRow.objects.get(id=i).priority
    )
    assert {job.attempt for job in claimed} == {1}
    assert JobRow.objects.running().filter(worker_id="w").count() == 4
    assert JobExecution.objects.filter(status="running").count() == 4
    assert set(ids) >= {str(job.id) for job in claimed}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_four_worker_processes_run_every_job_exactly_once(queue):
    total = 2000
    queue.submit_many([Job(f"n{i}", jobs.record, params={"key": i}) for i in range(total)])

    workers = [
        start_worker("--burst", "--concurrency", "1", "--polling-interval", "0") for _ in range(4)
    ]
    for process in workers:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr

    assert Run.objects.count() == total, "a job ran twice, or was lost"
    assert Run.objects.values("key").distinct().count() == total
    assert JobExecution.objects.count() == total
    assert queue.stats()["completed"] == total
    assert JobRow.objects.values("worker_id").distinct().count() > 1, "one worker did it all"


@pytest.mark.django_db(transaction=True)
def test_gigq_worker_command_drains_in_burst_mode(queue):
    ids = queue.submit_many([Job(f"n{i}", jobs.add, params={"a": i, "b": 1}) for i in range(5)])
    queue.submit(Job("elsewhere", jobs.noop, queue="other"))

    process = start_worker("--burst", "--queue", "default", "-v", "2", "--concurrency", "2")
    stdout, stderr = process.communicate(timeout=120)

    assert process.returncode == 0, stderr
    assert "Processed 5 job(s)." in stdout
    assert [queue.get_result(i) for i in ids] == [1, 2, 3, 4, 5]
    assert queue.stats()["pending"] == 1
