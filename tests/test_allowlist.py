"""Workers only run callables from allowed modules, whatever a job row says."""

from django_gigq import Job, JobStatus
from django_gigq.importing import allowed_modules
from django_gigq.models import Job as JobRow
from tests import jobs


def store_row_pointing_at(queue, path):
    """Write a job row as someone with database or admin access could."""
    job_id = queue.submit(Job("innocent", jobs.noop, params={"command": "touch /tmp/pwned"}))
    JobRow.objects.filter(id=job_id).update(function=path)
    return job_id


def test_worker_refuses_os_system_and_records_why(queue, worker, tmp_path):
    job_id = store_row_pointing_at(queue, "os.system")

    worker.process_one()

    status = queue.get_status(job_id)
    assert status["status"] == JobStatus.FAILED
    assert status["attempts"] == 1  # not retried
    assert "'os.system' is not in an allowed module" in status["error"]


def test_worker_refuses_subprocess_run(queue, worker):
    job_id = store_row_pointing_at(queue, "subprocess.run")
    worker.process_one()
    assert "not in an allowed module" in queue.get_status(job_id)["error"]


def test_default_allowlist_is_the_projects_packages_not_django_itself(settings):
    allowed = allowed_modules()
    assert {"tests", "django_gigq", "rangefilter"} <= set(allowed)
    assert "django" not in allowed and "os" not in allowed


def test_allowed_modules_setting_replaces_the_default(queue, worker, settings):
    settings.GIGQ = {"ALLOWED_MODULES": ["tests.jobs"]}
    job_id = queue.submit(Job("add", jobs.add, params={"a": 1, "b": 1}))
    worker.process_one()
    assert queue.get_result(job_id) == 2

    job_id = queue.submit(Job("add", jobs.add, params={"a": 1, "b": 1}))
    settings.GIGQ = {"ALLOWED_MODULES": ["somewhere_else"]}
    worker.process_one()
    assert "not in an allowed module" in queue.get_status(job_id)["error"]
