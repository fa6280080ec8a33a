"""GigQ's documented examples run on django-gigq with only the import changed."""

import importlib
import sys

import pytest

from django_gigq import JobQueue, JobStatus
from django_gigq.exceptions import GigQCompatibilityWarning


def test_complete_usage_example_runs_the_workflow_in_order(db, capsys):
    sys.modules.pop("tests.gigq_examples.complete_usage", None)
    with pytest.warns(GigQCompatibilityWarning):
        example = importlib.import_module("tests.gigq_examples.complete_usage")

    output = capsys.readouterr().out
    assert "Submitted 3 jobs" in output
    assert output.count("Processed one job") == 3
    assert output.index("Downloading data") < output.index("Processing data")
    assert output.index("Processing data") < output.index("Generating report")
    queue = JobQueue()
    results = [queue.get_status(job_id) for job_id in example.job_ids]
    assert [r["status"] for r in results] == [JobStatus.COMPLETED] * 3
    assert [r["attempts"] for r in results] == [1, 1, 1]
    assert results[2]["result"] == {"report_generated": True, "pages": 5}
    assert "Job generate_report: completed" in output


@pytest.mark.django_db(transaction=True)
def test_gigq_helpers_exist(queue):
    import logging

    from django_gigq import Job, Worker, close_connections, setup_logging
    from tests import jobs

    logger = setup_logging(logging.DEBUG)
    assert logger.name == "django_gigq" and logger.level == logging.DEBUG
    setup_logging()  # calling it again does not stack handlers
    assert sum(getattr(h, "gigq_setup", False) for h in logger.handlers) == 1
    close_connections()

    worker = Worker(polling_interval=0)
    assert worker.current_job_id is None
    queue.submit(Job("add", jobs.add, params={"a": 1, "b": 1}))
    worker.process_one()
    assert worker.current_job_id is None
    worker.close()
