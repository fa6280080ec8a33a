"""Class-based jobs: options from class attributes, hooks around attempts, rebuilt state."""

import pytest

from django_gigq import Job, JobStatus, JobType
from django_gigq.job_types import job_types
from django_gigq.models import Job as JobRow
from tests import job_types as classy
from tests.models import Run
from tests.processes import start_worker, stop, wait_for


def hooks(key):
    prefix = f"{key}:"
    return [k[len(prefix) :] for k in Run.objects.filter(key__startswith=prefix)
            .order_by("id").values_list("key", flat=True)]  # fmt: skip


def test_class_attributes_become_job_options():
    job = classy.Recorder.to_job(key="a")
    assert job.function_path == "tests.job_types.Recorder"
    assert (job.name, job.queue, job.priority, job.max_attempts, job.timeout) == (
        "Recorder", "classy", 7, 3, 30)  # fmt: skip
    assert job.params == {"key": "a"}


def test_subclasses_register_by_import_path():
    assert job_types()["tests.job_types.Stateful"] is classy.Stateful


def test_init_validates_at_submit_and_only_public_attributes_are_stored():
    with pytest.raises(ValueError, match="width and height must be positive"):
        classy.Stateful.to_job(width=0, height=3)
    assert classy.Stateful.to_job(width=2, height=3).params == {"width": 2, "height": 3}


def test_params_run_cannot_take_are_refused_at_submit():
    with pytest.raises(TypeError, match=r"Recorder.run needs key; pass key=\.\.\."):
        classy.Recorder.to_job(succeed_on=2)


def test_non_json_attributes_are_refused_at_submit():
    with pytest.raises(TypeError, match="JSON"):
        classy.AsyncJob.to_job(when=object())


def test_job_type_defined_in_a_function_is_refused():
    class Local(JobType):
        def run(self):
            return 1

    with pytest.raises(TypeError, match="define the class at module level"):
        Local.to_job()


def test_job_accepts_a_job_type_class_as_function():
    assert Job("x", classy.Stateful).function_path == "tests.job_types.Stateful"


def test_nested_function_as_function_is_refused_with_what_to_do():
    class DataProcessingJob(Job):
        def __init__(self, name, input_file):
            def process(input_file):
                return input_file

            super().__init__(name, process, params={"input_file": input_file})

    with pytest.raises(TypeError, match="define it at module level.*JobType subclass"):
        DataProcessingJob("x", "in.csv")


def test_retries_call_on_retry_then_success(db, drain):
    job_id = classy.Recorder.submit(key="ok", succeed_on=2)
    drain()  # retry_delay is 0: the retry runs in the same drain
    row = JobRow.objects.get(id=job_id)
    assert row.status == JobStatus.COMPLETED
    assert row.result == {"key": "ok", "calls": 2}
    assert hooks("ok") == ["start", "run", "retry=1:0", "start", "run", "success=2"]


def test_on_failure_runs_once_after_the_last_attempt(db, drain):
    job_id = classy.Recorder.submit(key="bad", succeed_on=0)
    drain()
    assert JobRow.objects.get(id=job_id).status == JobStatus.FAILED
    assert hooks("bad") == ["start", "run", "retry=1:0"] + ["start", "run", "retry=2:0"] + [
        "start", "run", "failure=call 3 fails"]  # fmt: skip


def test_state_is_rebuilt_without_init_and_async_run_is_awaited(db, queue, drain):
    area = classy.Stateful.submit(width=2, height=3)
    listed = classy.AsyncJob.submit(b=1, a=2)
    drain()
    assert queue.get_result(area) == {"area": 6, "scratch": False}
    assert queue.get_result(listed) == ["a", "b"]


def test_laravel_handle_and_failed_work(db, queue, drain):
    job = classy.Laravel(to="ann@example.com").as_job()
    job_id = queue.submit(job)
    drain()
    assert queue.get_status(job_id)["status"] == JobStatus.FAILED
    assert hooks("ann@example.com") == ["failed=cannot reach ann@example.com"]


def test_next_retry_delay_sets_when_the_retry_runs(db, queue, drain):
    job_id = classy.Backoff.submit(key="k")
    drain()
    row = JobRow.objects.get(id=job_id)
    assert row.status == JobStatus.PENDING
    wait = (row.run_after - row.updated_at).total_seconds()
    assert 1.9 < wait < 2.1


def test_a_failing_hook_does_not_change_the_outcome(db, queue, drain):
    job_id = classy.BrokenHooks.submit()
    drain()
    assert queue.get_result(job_id) == "ran"


@pytest.mark.django_db(transaction=True)
def test_gigq_worker_runs_hooks_in_its_child_process(queue):
    job_id = classy.Recorder.submit(key="proc", succeed_on=0)
    JobRow.objects.filter(id=job_id).update(max_attempts=2)
    worker = start_worker("--queue", "classy", "--concurrency", "1", "--polling-interval", "0.2")
    try:
        wait_for(lambda: queue.get_status(job_id)["status"] == JobStatus.FAILED,
                 message="the job to fail")  # fmt: skip
    finally:
        exit_code, _out, err = stop(worker)
    assert exit_code == 0, err
    assert hooks("proc") == ["start", "run", "retry=1:0", "start", "run", "failure=call 2 fails"]
    pids = set(Run.objects.filter(key__startswith="proc:").values_list("pid", flat=True))
    assert len(pids) == 1 and worker.pid not in pids  # the child ran them, not the supervisor
