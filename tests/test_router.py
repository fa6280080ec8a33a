"""``GigQRouter``: django-gigq's models go to ``GIGQ["DATABASE"]``, other models are left alone."""

from django.contrib.auth.models import User
from django.db import router
from django.test import override_settings

from django_gigq.models import Job, JobDependency, JobExecution, WorkerProcess, Workflow
from django_gigq.routers import GigQRouter
from tests.models import Run

GIGQ_MODELS = (Job, JobExecution, JobDependency, Workflow, WorkerProcess)


@override_settings(GIGQ={"DATABASE": "jobs"})
def test_reads_and_writes_of_gigq_models_go_to_the_job_database():
    gigq_router = GigQRouter()
    for model in GIGQ_MODELS:
        assert gigq_router.db_for_read(model) == "jobs"
        assert gigq_router.db_for_write(model) == "jobs"


def test_other_models_are_left_to_other_routers():
    gigq_router = GigQRouter()
    assert gigq_router.db_for_read(Run) is None
    assert gigq_router.db_for_write(User) is None
    assert gigq_router.allow_migrate("default", "auth", "user") is None


@override_settings(GIGQ={"DATABASE": "jobs"})
def test_gigq_tables_are_migrated_only_in_the_job_database():
    gigq_router = GigQRouter()
    assert gigq_router.allow_migrate("jobs", "django_gigq", "job") is True
    assert gigq_router.allow_migrate("default", "django_gigq", "job") is False


def test_relations_between_gigq_models_are_allowed():
    gigq_router = GigQRouter()
    job, other = Job(name="a"), Job(name="b")
    assert gigq_router.allow_relation(job, JobExecution(job=other)) is True
    assert gigq_router.allow_relation(job, Run(key="k", pid=1)) is None


@override_settings(DATABASE_ROUTERS=["django_gigq.routers.GigQRouter"], GIGQ={"DATABASE": "jobs"})
def test_django_routes_gigq_querysets_through_the_router():
    assert router.db_for_write(Job) == "jobs"
    assert Job.objects.all().db == "jobs"
    assert Run.objects.all().db == "default"


@override_settings(DATABASE_ROUTERS=["django_gigq.routers.GigQRouter"])
def test_router_with_the_default_database_runs_queries_there(db, queue):
    from django_gigq import Job as JobDescription
    from tests import jobs

    job_id = queue.submit(JobDescription("n", jobs.noop))
    assert Job.objects.all().db == "default"
    assert str(Job.objects.get().id) == job_id
