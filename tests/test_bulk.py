"""The batch statements' expressions store and match every value exactly as given.

On PostgreSQL their lists travel as array literals built in Python (``bulk.array_param``):
text that needs quoting inside an array must come back unchanged.
"""

import datetime
import uuid

from django.utils import timezone

from django_gigq import Job
from django_gigq.bulk import AnyOf, ValuePerRow, insert_rows
from django_gigq.models import Job as JobRow
from django_gigq.models import JobExecution
from tests import jobs

AWKWARD_TEXTS = [
    "",
    "NULL",
    'a "quoted" word',
    "back\\slash \\\\ twice",
    "commas, {braces} and (parens)",
    "  spaces around  ",
    "new\nline and\ttab",
    "unicode: ünïcødé ✓ 日本",
]


def _submit(queue, count):
    return [queue.submit(Job(f"noop {n}", jobs.noop)) for n in range(count)]


def test_value_per_row_gives_each_row_its_own_text(queue):
    ids = [uuid.UUID(job_id) for job_id in _submit(queue, len(AWKWARD_TEXTS))]
    wanted = dict(zip(ids, AWKWARD_TEXTS, strict=True))

    JobRow.objects.filter(AnyOf("pk", ids)).update(
        error=ValuePerRow(wanted, JobRow._meta.get_field("error"))
    )

    assert dict(JobRow.objects.values_list("id", "error")) == wanted


def test_value_per_row_takes_numbers_and_null(queue):
    ids = [uuid.UUID(job_id) for job_id in _submit(queue, 3)]
    wanted = dict(zip(ids, [0.25, None, 1e-06], strict=True))

    JobRow.objects.filter(AnyOf("pk", ids)).update(
        progress=ValuePerRow(wanted, JobRow._meta.get_field("progress"))
    )

    assert dict(JobRow.objects.values_list("id", "progress")) == wanted


def test_any_of_matches_only_the_listed_rows(queue):
    ids = [uuid.UUID(job_id) for job_id in _submit(queue, 4)]

    matched = set(JobRow.objects.filter(AnyOf("pk", ids[1:3])).values_list("id", flat=True))

    assert matched == set(ids[1:3])
    assert not JobRow.objects.filter(AnyOf("pk", [])).exists()


def test_insert_rows_stores_awkward_text_and_times_exactly_per_row_and_shared(queue):
    job_ids = [uuid.UUID(job_id) for job_id in _submit(queue, len(AWKWARD_TEXTS))]
    started = timezone.now().replace(microsecond=123456)
    rows = [
        {
            "id": uuid.uuid4(),
            "job": job_id,
            "attempt": 1,
            "worker_id": text,
            "started_at": started + datetime.timedelta(seconds=n),
            "error": text,
        }
        for n, (job_id, text) in enumerate(zip(job_ids, AWKWARD_TEXTS, strict=True))
    ]
    same = {"status": "running", "exception_type": 'a "shared", \\odd {value}', "traceback": ""}

    insert_rows(JobExecution, rows, same=same, using="default")

    stored = {
        row["id"]: row
        for row in JobExecution.objects.values(
            "id", "job_id", "worker_id", "started_at", "error", "status", "exception_type"
        )
    }
    for row in rows:
        assert stored[row["id"]] == {
            "id": row["id"],
            "job_id": row["job"],
            "worker_id": row["worker_id"],
            "started_at": row["started_at"],
            "error": row["error"],
            "status": "running",
            "exception_type": same["exception_type"],
        }
