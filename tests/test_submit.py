"""Submitting jobs: all or nothing, with clear errors for what cannot be stored."""

import uuid
from contextlib import nullcontext
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from django_gigq import Job, JobQueue, Workflow
from django_gigq.exceptions import GigQCompatibilityWarning
from django_gigq.models import Job as JobRow
from django_gigq.models import JobDependency
from django_gigq.models import Workflow as WorkflowRow
from tests import jobs


def test_submit_stores_a_pending_job_with_its_options(queue):
    job = Job(
        "add",
        jobs.add,
        params={"a": 1, "b": 2},
        priority=7,
        max_attempts=4,
        timeout=60,
        description="adds",
        retry_delay=5,
        queue="math",
        pass_parent_results=False,
    )
    assert queue.submit(job) == job.id

    row = JobRow.objects.get(id=job.id)
    assert (row.name, row.function, row.params) == ("add", "tests.jobs.add", {"a": 1, "b": 2})
    assert (row.priority, row.max_attempts, row.timeout, row.retry_delay) == (7, 4, 60, 5)
    assert (row.description, row.queue, row.pass_parent_results) == ("adds", "math", False)
    assert (row.status, row.attempts, row.pending_dependencies) == ("pending", 0, 0)
    assert row.created_at.tzinfo is not None and row.run_after.tzinfo is not None


def test_job_ids_increase_in_the_order_jobs_are_made():
    # Faster than any clock ticks: ids, not times, keep jobs in submission order.
    ids = [uuid.UUID(Job("n", jobs.noop).id) for _ in range(5000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {(i.version, i.variant) for i in ids} == {(7, uuid.RFC_4122)}


def test_submit_many_returns_ids_in_order(queue):
    batch = [Job(f"n{i}", jobs.noop) for i in range(1200)]
    assert queue.submit_many(batch) == [job.id for job in batch]
    assert JobRow.objects.count() == 1200


def test_submitting_the_same_job_twice_is_a_clear_error(queue):
    job = Job("once", jobs.noop)
    queue.submit(job)
    with pytest.raises(ValueError, match="already submitted"):
        queue.submit(job)
    assert JobRow.objects.count() == 1


def test_a_batch_with_one_job_already_submitted_stores_none_of_them(queue):
    stored = Job("stored", jobs.noop)
    queue.submit(stored)
    batch = [Job("new", jobs.noop), stored, Job("newer", jobs.noop)]
    with pytest.raises(ValueError, match=rf"job {stored.id} \(stored\) was already submitted"):
        queue.submit_many(batch)
    assert list(JobRow.objects.values_list("name", flat=True)) == ["stored"]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_submitting_is_all_or_nothing_too():
    queue = JobQueue()
    stored = Job("stored", jobs.noop)
    queue.submit(stored)
    with pytest.raises(ValueError, match="already submitted"):
        queue.submit(stored)
    with pytest.raises(ValueError, match="already submitted"):
        queue.submit_many([Job("new", jobs.noop), stored])
    assert list(JobRow.objects.values_list("name", flat=True)) == ["stored"]


@pytest.mark.django_db(transaction=True)
def test_every_option_is_stored_as_given_for_one_job_and_for_a_batch():
    run_after = timezone.now() + timedelta(hours=1)

    def job(name, **options):
        return Job(name, jobs.add, params={"a": 1, "b": "é ✓ 😀", "c": [None, 2.5]}, priority=-3,
                   max_attempts=5, timeout=7, description="déjà", retry_delay=2, queue="q",
                   pass_parent_results=True, retry_backoff="exponential", retry_max_delay=60,
                   unique_key=f"key-{name}", **options)  # fmt: skip

    JobQueue().submit(job("one", run_after=run_after))
    JobQueue().submit_many([job("many-1", run_after=run_after), job("many-2")])

    rows = {row.name: row for row in JobRow.objects.all()}
    assert sorted(rows) == ["many-1", "many-2", "one"]
    for row in rows.values():
        assert (row.function, row.params) == ("tests.jobs.add", job("x").params)
        assert (row.priority, row.max_attempts, row.timeout, row.retry_delay) == (-3, 5, 7, 2)
        assert (row.description, row.queue, row.pass_parent_results) == ("déjà", "q", True)
        assert (row.retry_backoff, row.retry_max_delay) == ("exponential", 60)
        assert (row.unique_key, row.active_unique_key) == (f"key-{row.name}",) * 2
        assert (row.status, row.attempts, row.error, row.progress_message) == ("pending", 0, "", "")
        assert row.pending_dependencies == 0 and row.workflow_id is None
        assert row.created_at == row.updated_at
    assert rows["one"].run_after == rows["many-1"].run_after == run_after
    assert rows["many-2"].run_after <= rows["many-2"].created_at + timedelta(seconds=1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL takes arrays")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_one_job_takes_one_statement_and_a_batch_no_more_for_its_size():
    with CaptureQueriesContext(connection) as queries:
        JobQueue().submit(Job("one", jobs.noop))
    assert len(queries) == 1
    assert JobRow.objects.get().status == "pending"
    counts = []
    for size in (2, 1200):
        with CaptureQueriesContext(connection) as queries:
            JobQueue().submit_many([Job(f"n{n}", jobs.noop) for n in range(size)])
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert JobRow.objects.count() == 1203


def test_every_job_stores_the_trace_context_of_its_submission(queue, monkeypatch):
    context = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
    monkeypatch.setattr("django_gigq.submission.submit_span", lambda jobs: nullcontext(context))
    queue.submit_many([Job("a", jobs.noop), Job("b", jobs.noop)])
    queue.submit(Job("c", jobs.noop))
    assert [row.trace_context for row in JobRow.objects.all()] == [context] * 3


def test_the_same_job_twice_in_one_batch_is_rejected(queue):
    job = Job("twice", jobs.noop)
    with pytest.raises(ValueError, match="appears twice"):
        queue.submit_many([job, job])
    assert JobRow.objects.count() == 0


def test_unknown_dependency_is_rejected_and_nothing_is_stored(queue):
    good = Job("good", jobs.noop)
    orphan = Job("orphan", jobs.noop, dependencies=[str(uuid.uuid4())])
    with pytest.raises(ValueError, match="depends on unknown job"):
        queue.submit_many([good, orphan])
    assert JobRow.objects.count() == 0


def test_dependency_cycle_is_rejected_with_the_jobs_named(queue):
    a, b, c = Job("a", jobs.noop), Job("b", jobs.noop), Job("c", jobs.noop)
    a.dependencies = [c.id]
    b.dependencies = [a.id]
    c.dependencies = [b.id]
    with pytest.raises(ValueError, match=r"dependency cycle: .*\(.*\) -> .*"):
        queue.submit_many([a, b, c])
    assert JobRow.objects.count() == 0


def test_a_long_chain_is_not_mistaken_for_a_cycle(queue):
    chain = [Job("link0", jobs.noop)]
    for i in range(1, 3000):
        chain.append(Job(f"link{i}", jobs.noop, dependencies=[chain[-1].id]))
    queue.submit_many(chain)
    assert JobDependency.objects.count() == 2999


def test_invalid_job_in_a_batch_stores_nothing(queue):
    good = Job("good", jobs.noop)
    bad = Job("bad", jobs.noop)
    bad.timeout = -1  # changed after construction: submit checks again
    with pytest.raises(ValueError, match="timeout"):
        queue.submit_many([good, bad])
    assert JobRow.objects.count() == 0


def test_function_outside_the_allowlist_is_refused_at_submit(queue):
    with pytest.raises(ValueError, match="not in an allowed module"):
        queue.submit(Job("shell", "os.system", params={"command": "true"}))
    assert JobRow.objects.count() == 0


def test_submit_rejects_things_that_are_not_jobs(queue):
    with pytest.raises(TypeError, match="expected Job objects"):
        queue.submit_many([{"name": "x"}])


def test_workflow_is_stored_in_one_transaction_with_its_jobs(queue):
    workflow = Workflow("pipeline")
    first = workflow.add_job(Job("first", jobs.noop))
    second = workflow.add_job(Job("second", jobs.noop), depends_on=[first])
    ids = workflow.submit_all(queue)

    assert ids == [first.id, second.id]
    stored = WorkflowRow.objects.get(id=workflow.id)
    assert stored.name == "pipeline"
    assert set(stored.jobs.values_list("name", flat=True)) == {"first", "second"}
    assert JobRow.objects.get(id=second.id).pending_dependencies == 1


def test_workflow_with_a_bad_dependency_stores_nothing(queue):
    workflow = Workflow("broken")
    workflow.add_job(Job("first", jobs.noop))
    workflow.add_job(Job("second", jobs.noop, dependencies=[str(uuid.uuid4())]))
    with pytest.raises(ValueError, match="unknown job"):
        workflow.submit_all(queue)
    assert JobRow.objects.count() == 0
    assert WorkflowRow.objects.count() == 0


def test_workflow_may_depend_on_jobs_already_stored(queue):
    earlier = Job("earlier", jobs.noop)
    queue.submit(earlier)
    workflow = Workflow("later")
    workflow.add_job(Job("after", jobs.noop, dependencies=[earlier.id]))
    workflow.submit_all(queue)
    assert JobRow.objects.get(name="after").pending_dependencies == 1


def test_workflow_add_job_keeps_explicit_dependencies(queue):
    workflow = Workflow("merge")
    a, b = Job("a", jobs.noop), Job("b", jobs.noop)
    c = Job("c", jobs.noop, dependencies=[a.id])
    workflow.add_job(a)
    workflow.add_job(b)
    workflow.add_job(c, depends_on=[b])
    assert c.dependencies == [a.id, b.id]


def test_workflow_add_task_requires_a_task(queue):
    workflow = Workflow("tasks")
    job = workflow.add_task(jobs.multiply, params={"x": 2, "y": 3})
    assert job.function_path == "tests.jobs.multiply"
    with pytest.raises(TypeError, match="decorated with @task"):
        workflow.add_task(jobs.add, params={})


def test_gigq_database_path_is_accepted_with_a_warning(db):
    with pytest.warns(GigQCompatibilityWarning, match="example.db"):
        assert JobQueue("example.db").using == "default"
    with pytest.raises(ValueError, match="unknown database alias 'nope'"):
        JobQueue("nope")
