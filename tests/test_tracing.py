"""OpenTelemetry: a job's runs continue the trace of the code that submitted it.

A tracer provider can be set once per process, and this one (pytest's) must not record:
the other tests' jobs would all carry a trace context. So each test that records spans
runs its traced code in processes of its own: ``python -m tests.spans`` (the in-process
worker) or a real ``gigq_worker``.
"""

import json
import subprocess
import sys

import pytest

from django_gigq import Job, JobStatus
from django_gigq.models import Job as JobRow
from tests import jobs
from tests.processes import ROOT, start_worker, stop, wait_for, worker_env
from tests.spans import read_spans

pytestmark = pytest.mark.django_db(transaction=True)

ALLOWED = {"ALLOWED_MODULES": ["tests", "docs", "django_gigq"]}


def run_traced_checkout(*queues):
    """Run the documentation's traced checkout and its job in a process; return its report."""
    run = subprocess.run(
        [sys.executable, "-m", "tests.spans", *queues],
        env=worker_env(ALLOWED),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def by_name(spans):
    return {span["name"]: span for span in spans}


def test_run_span_is_a_child_of_the_submit_span_in_the_request_trace():
    report = run_traced_checkout()
    spans = by_name(report["spans"])
    function = "docs.examples.observe.jobs.send_receipt"
    request, submit, run = (
        spans["POST /checkout"],
        spans[f"submit {function}"],
        spans[f"run {function}"],
    )

    assert submit["trace_id"] == request["trace_id"] == run["trace_id"]
    assert submit["parent_id"] == request["span_id"]
    assert run["parent_id"] == submit["span_id"]
    assert (submit["kind"], run["kind"]) == ("PRODUCER", "CONSUMER")
    assert run["attributes"] == {
        "messaging.system": "django_gigq",
        "messaging.operation.type": "process",
        "messaging.destination.name": "default",
        "gigq.job.id": report["job_id"],
        "gigq.job.queue": "default",
        "gigq.job.function": function,
        "gigq.job.name": "receipt",
        "gigq.job.attempt": 1,
        "gigq.job.max_attempts": 3,
        "gigq.execution.id": str(JobRow.objects.get(id=report["job_id"]).latest_execution_id),
        "gigq.execution.status": "completed",
    }
    assert run["status"] == "UNSET"
    assert submit["attributes"]["gigq.job.id"] == report["job_id"]
    # The stored context names the submit span as the parent of the runs.
    stored = JobRow.objects.get(id=report["job_id"]).trace_context
    assert stored["traceparent"].startswith(f"00-{submit['trace_id']}-{submit['span_id']}-")


def test_each_failed_run_records_its_exception_and_an_error_status(queue):
    # Submitted here, where no tracer provider records: no context is stored, and each run
    # starts a trace of its own.
    job_id = queue.submit(Job("f", jobs.fail, params={"message": "card declined"},
                              max_attempts=2, queue="traced"))  # fmt: skip
    assert JobRow.objects.get(id=job_id).trace_context is None

    runs = [
        span
        for span in run_traced_checkout("traced")["spans"]
        if span["name"].startswith("run tests.")
    ]

    assert [run["attributes"]["gigq.job.attempt"] for run in runs] == [1, 2]
    for run in runs:
        assert run["parent_id"] is None
        assert run["status"] == "ERROR"
        assert run["attributes"]["gigq.execution.status"] == "failed"
        (event,) = run["events"]
        assert event["name"] == "exception"
        assert event["exception.type"] == "builtins.ValueError"
        assert event["exception.message"] == "card declined"
        assert "ValueError: card declined" in event["exception.stacktrace"]
    assert runs[0]["trace_id"] != runs[1]["trace_id"]
    assert queue.get_status(job_id)["status"] == JobStatus.FAILED


def test_runs_that_snooze_or_cancel_themselves_are_not_errors(queue):
    queue.submit(Job("nap", jobs.snooze_once, params={"key": "nap", "seconds": 0},
                     queue="control"))  # fmt: skip
    queue.submit(Job("quit", jobs.cancel_itself, params={"reason": "stock sold out"},
                     queue="control"))  # fmt: skip

    spans = run_traced_checkout("control")["spans"]
    runs = [(s["name"], s["attributes"]["gigq.execution.status"], s["status"], s["events"])
            for s in spans if s["name"].startswith("run tests.")]  # fmt: skip

    assert sorted(runs) == [
        ("run tests.jobs.cancel_itself", "cancelled", "UNSET", []),
        ("run tests.jobs.snooze_once", "completed", "UNSET", []),
        ("run tests.jobs.snooze_once", "snoozed", "UNSET", []),
    ]


def test_a_gigq_worker_child_continues_the_trace_of_the_submitter(queue, tmp_path, monkeypatch):
    spans_file = tmp_path / "spans.jsonl"
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    job_id = queue.submit(Job("sum", jobs.add, params={"a": 1, "b": 2}))
    # As a traced submitter would have stored it.
    JobRow.objects.filter(id=job_id).update(trace_context={"traceparent": traceparent})

    monkeypatch.setenv("GIGQ_TEST_SPANS_FILE", str(spans_file))
    worker = start_worker("--concurrency", "1", "--polling-interval", "0.2")
    try:
        wait_for(lambda: queue.get_result(job_id) == 3, message="the job to complete")
    finally:
        exit_code, _out, err = stop(worker)
    assert exit_code == 0, err

    # The children export in batches: the last one leaves when they exit.
    def run_spans():
        return [span for span in read_spans(spans_file) if span["name"] == "run tests.jobs.add"]

    (run,) = wait_for(run_spans, message="the run span")
    assert run["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert run["parent_id"] == "b7ad6b7169203331"
    assert run["service"] == "worker"
    assert run["attributes"]["gigq.job.id"] == job_id
    assert run["attributes"]["gigq.execution.status"] == "completed"


def test_without_a_tracer_provider_nothing_is_stored(queue):
    job_id = queue.submit(Job("n", jobs.noop))
    assert JobRow.objects.get(id=job_id).trace_context is None
