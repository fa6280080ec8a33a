"""``Job(run_after=...)``: a job that may not start before a given time."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from django_gigq import Job
from django_gigq.models import Job as JobRow
from tests import jobs


def test_job_with_run_after_in_the_future_is_not_claimed(db, queue, drain):
    later = timezone.now() + timedelta(hours=1)
    job_id = queue.submit(Job("later", jobs.noop, run_after=later))

    assert drain() == 0
    assert JobRow.objects.get(id=job_id).run_after == later
    assert queue.get_status(job_id)["status"] == "pending"


def test_job_with_run_after_in_the_past_runs_at_once(db, queue, drain):
    earlier = timezone.now() - timedelta(minutes=5)
    job_id = queue.submit(Job("earlier", jobs.noop, run_after=earlier))

    assert drain() == 1
    assert queue.get_status(job_id)["status"] == "completed"


def test_naive_run_after_is_refused():
    with pytest.raises(ValueError, match="aware datetime"):
        Job("naive", jobs.noop, run_after=datetime(2030, 1, 1))


def test_run_after_must_be_a_datetime():
    with pytest.raises(TypeError, match="run_after must be a datetime"):
        Job("text", jobs.noop, run_after="2030-01-01T00:00:00Z")
