"""Dependencies: jobs wait for theirs, failures cancel dependents, requeue re-opens them."""

from django_gigq import Job, JobStatus, Workflow
from django_gigq.models import Job as JobRow
from tests import jobs
from tests.models import Run


def status_of(queue, job):
    return queue.get_status(job.id)["status"]


def test_dependent_waits_until_its_dependency_completes(queue, worker):
    parent = Job("parent", jobs.record, params={"key": "parent"})
    child = Job("child", jobs.record, params={"key": "child"}, dependencies=[parent.id])
    queue.submit_many([child, parent])

    worker.run(burst=True)

    assert list(Run.objects.order_by("id").values_list("key", flat=True)) == ["parent", "child"]


def test_dependency_ready_job_keeps_its_priority_over_free_jobs(queue, worker):
    parent = Job("parent", jobs.record, params={"key": "parent"}, priority=200)
    urgent = Job(
        "urgent", jobs.record, params={"key": "urgent"}, priority=100, dependencies=[parent.id]
    )
    free = [Job(f"free{i}", jobs.record, params={"key": f"free{i}"}) for i in range(3)]
    queue.submit_many([parent, urgent, *free])

    worker.run(burst=True)

    order = list(Run.objects.order_by("id").values_list("key", flat=True))
    assert order[:2] == ["parent", "urgent"]


def test_failed_dependency_cancels_dependents_transitively(queue, worker):
    root = Job("root", jobs.fail, max_attempts=1)
    child = Job("child", jobs.noop, dependencies=[root.id])
    grandchild = Job("grandchild", jobs.noop, dependencies=[child.id])
    unrelated = Job("unrelated", jobs.noop)
    queue.submit_many([root, child, grandchild, unrelated])

    worker.run(burst=True)

    assert status_of(queue, root) == JobStatus.FAILED
    for job in (child, grandchild):
        status = queue.get_status(job.id)
        assert status["status"] == JobStatus.CANCELLED
        assert root.id in status["error"] and "root" in status["error"]
        assert status["executions"] == []
    assert status_of(queue, unrelated) == JobStatus.COMPLETED


def test_cancelling_a_job_cancels_its_dependents(queue):
    parent = Job("parent", jobs.noop)
    child = Job("child", jobs.noop, dependencies=[parent.id])
    queue.submit_many([parent, child])

    queue.cancel(parent.id)

    assert status_of(queue, child) == JobStatus.CANCELLED


def test_requeue_reopens_the_dependents_it_cancelled(queue, worker):
    root = Job(
        "root", jobs.fail_until, params={"key": "root", "succeed_on_call": 2}, max_attempts=1
    )
    child = Job("child", jobs.noop, dependencies=[root.id])
    grandchild = Job("grandchild", jobs.noop, dependencies=[child.id])
    queue.submit_many([root, child, grandchild])
    worker.run(burst=True)
    assert status_of(queue, grandchild) == JobStatus.CANCELLED

    assert queue.requeue_job(root.id) is True
    assert status_of(queue, child) == JobStatus.PENDING
    assert JobRow.objects.get(id=child.id).pending_dependencies == 1
    assert JobRow.objects.get(id=grandchild.id).pending_dependencies == 1

    worker.run(burst=True)

    for job in (root, child, grandchild):
        assert status_of(queue, job) == JobStatus.COMPLETED


def test_reopened_job_with_another_failed_dependency_stays_cancelled(queue, worker):
    first = Job(
        "first", jobs.fail_until, params={"key": "first", "succeed_on_call": 2}, max_attempts=1
    )
    second = Job("second", jobs.fail, max_attempts=1)
    child = Job("child", jobs.noop, dependencies=[first.id, second.id])
    queue.submit_many([first, second, child])
    worker.run(burst=True)

    queue.requeue_job(first.id)
    worker.run(burst=True)

    status = queue.get_status(child.id)
    assert status["status"] == JobStatus.CANCELLED
    assert second.id in status["error"]
    assert queue.requeue_job(child.id) is False  # requeue `second` instead
    assert queue.requeue_job(second.id) is True


def test_job_submitted_after_its_dependency_failed_is_cancelled_at_once(queue, worker):
    failed = Job("failed", jobs.fail, max_attempts=1)
    queue.submit(failed)
    worker.run(burst=True)

    late = Job("late", jobs.noop, dependencies=[failed.id])
    queue.submit(late)

    assert status_of(queue, late) == JobStatus.CANCELLED


def test_job_depending_on_a_completed_job_is_claimable_at_once(queue, worker):
    done = Job("done", jobs.noop)
    queue.submit(done)
    worker.run(burst=True)
    later = Job("later", jobs.noop, dependencies=[done.id])
    queue.submit(later)
    assert JobRow.objects.get(id=later.id).pending_dependencies == 0
    assert worker.process_one() is True


def test_fan_out_fan_in_runs_every_job_once_in_order(queue, worker):
    workflow = Workflow("fan")
    root = workflow.add_job(Job("root", jobs.record, params={"key": "root"}))
    middle = [
        workflow.add_job(Job(f"m{i}", jobs.record, params={"key": f"m{i}"}), depends_on=[root])
        for i in range(20)
    ]
    workflow.add_job(Job("sink", jobs.record, params={"key": "sink"}), depends_on=middle)
    workflow.submit_all(queue)

    worker.run(burst=True)

    order = list(Run.objects.order_by("id").values_list("key", flat=True))
    assert order[0] == "root" and order[-1] == "sink" and len(order) == 22


def test_parent_results_are_injected_when_the_function_asks(queue, worker):
    a = Job("a", jobs.add, params={"a": 1, "b": 1})
    b = Job("b", jobs.add, params={"a": 2, "b": 2})
    combined = Job("combine", jobs.combine, dependencies=[a.id, b.id])
    queue.submit_many([a, b, combined])

    worker.run(burst=True)

    assert queue.get_result(combined.id) == [2, 4]


def test_parent_results_modes_auto_on_off(queue, worker):
    parent = Job("parent", jobs.add, params={"a": 1, "b": 2})
    auto_kwargs = Job("auto", jobs.with_kwargs, params={"x": 1}, dependencies=[parent.id])
    off = Job(
        "off",
        jobs.echo_parent_results,
        dependencies=[parent.id],
        pass_parent_results=False,
    )
    override = Job(
        "override",
        jobs.echo_parent_results,
        params={"parent_results": "mine"},
        dependencies=[parent.id],
    )
    forced = Job("forced", jobs.noop, dependencies=[parent.id], pass_parent_results=True)
    no_dependencies = Job("alone", jobs.with_kwargs, params={"x": 1})
    queue.submit_many([parent, auto_kwargs, off, override, forced, no_dependencies])

    worker.run(burst=True)

    assert queue.get_result(auto_kwargs.id) == ["parent_results", "x"]
    assert queue.get_result(off.id) is None
    assert queue.get_result(override.id) == {parent.id: 3}
    forced_status = queue.get_status(forced.id)
    assert forced_status["status"] == JobStatus.FAILED  # noop() takes no parent_results
    assert "params do not match" in forced_status["error"]
    assert queue.get_result(no_dependencies.id) == ["x"]
