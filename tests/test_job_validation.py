"""Bad input to Job(...) and @task fails at construction with a message that says why."""

import functools

import pytest

from django_gigq import Job, task
from tests import jobs


def module_level():
    return 1


class Holder:
    def method(self):
        return 1

    @staticmethod
    def static():
        return 1


def make_closure():
    def inner():
        return 1

    return inner


@pytest.mark.parametrize(
    ("function", "error", "message"),
    [
        (lambda: 1, TypeError, "lambda"),
        (make_closure(), TypeError, "nested function or closure"),
        (Holder().method, TypeError, "bound method"),
        (Holder.static, TypeError, "method"),
        (functools.partial(jobs.add, 1), TypeError, "functools.partial"),
        (42, TypeError, "callable or a dotted path"),
        (Holder, TypeError, "not the class"),
        ("not a path", ValueError, "dotted path"),
        ("nodots", ValueError, "dotted path"),
    ],
)
def test_function_a_worker_cannot_import_is_rejected(function, error, message):
    with pytest.raises(error, match=message):
        Job("bad", function)


def test_function_defined_in_main_is_rejected():
    namespace = {"__name__": "__main__"}
    exec("def main_job():\n    return 1", namespace)
    with pytest.raises(ValueError, match="defined in __main__"):
        Job("main", namespace["main_job"])


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"when": object()}, TypeError, "params must be JSON-serializable"),
        ({"x": float("nan")}, TypeError, "JSON-serializable"),
        ({"x": float("inf")}, TypeError, "JSON-serializable"),
        ({1: "a"}, TypeError, "keys must be strings"),
        ([1, 2], TypeError, "must be a dict"),
        ({"s": {1, 2}}, TypeError, "JSON-serializable"),
        ({"s": ["nul \x00 byte"]}, TypeError, "must not contain NUL"),
        ({"s": "half a pair \ud800"}, TypeError, "unpaired surrogate"),
    ],
)
def test_params_that_are_not_json_are_rejected(params, error, message):
    with pytest.raises(error, match=message):
        Job("bad", jobs.noop, params=params)


def test_params_may_hold_a_backslash_u_0000_that_is_not_a_nul():
    job = Job("fine", jobs.noop, params={"path": "C:\\u0000"})
    assert job.params == {"path": "C:\\u0000"}


def test_deeply_nested_params_are_rejected_clearly():
    deep = current = {}
    for _ in range(100_000):
        current["x"] = current = {}
    with pytest.raises(TypeError, match="nested too deeply"):
        Job("deep", jobs.noop, params=deep)


def test_oversized_params_are_rejected(settings):
    settings.GIGQ = {"MAX_PARAMS_BYTES": 100}
    with pytest.raises(ValueError, match="over the limit of 100"):
        Job("big", jobs.noop, params={"blob": "x" * 200})


@pytest.mark.parametrize(
    ("field", "value", "error", "message"),
    [
        ("timeout", -1, ValueError, "timeout must be between 1"),
        ("timeout", 0, ValueError, "timeout must be between 1"),
        ("max_attempts", 0, ValueError, "max_attempts must be between 1"),
        ("retry_delay", -5, ValueError, "retry_delay must be between 0"),
        ("priority", "high", TypeError, "priority must be an int"),
        ("priority", 2**40, ValueError, "priority must be between"),
        ("timeout", 1.5, TypeError, "timeout must be an int"),
        ("max_attempts", True, TypeError, "max_attempts must be an int"),
        ("queue", "", ValueError, "queue must not be empty"),
        ("pass_parent_results", "yes", TypeError, "pass_parent_results"),
        ("dependencies", "0190f5c2-0000-7000-8000-000000000000", TypeError, "single string"),
        ("dependencies", ["not-a-uuid"], ValueError, "must be a UUID"),
    ],
)
def test_invalid_options_are_rejected(field, value, error, message):
    with pytest.raises(error, match=message):
        Job("bad", jobs.noop, **{field: value})


def test_name_must_be_text():
    with pytest.raises(TypeError, match="name must be a str"):
        Job(None, jobs.noop)


def test_job_cannot_depend_on_itself():
    job = Job("self", jobs.noop)
    job.dependencies = [job.id]
    with pytest.raises(ValueError, match="cannot depend on itself"):
        job.validate()


def test_job_has_gigq_defaults_and_a_uuid_string_id():
    job = Job("defaults", jobs.noop)
    assert isinstance(job.id, str) and len(job.id) == 36
    assert (job.priority, job.max_attempts, job.timeout, job.retry_delay) == (0, 3, 300, 0)
    assert job.params == {} and job.dependencies == [] and job.description == ""
    assert job.queue == "default" and job.pass_parent_results is None
    assert job.function_path == "tests.jobs.noop"


def test_dependencies_accept_job_objects_and_ids():
    first = Job("first", jobs.noop)
    second = Job("second", jobs.noop, dependencies=[first, first.id])
    assert second.dependencies == [first.id]


def test_task_decorator_keeps_the_function_callable_and_makes_jobs():
    assert jobs.multiply(3, 4) == 12
    job = jobs.shout.to_job(text="hi")
    assert job.function_path == "tests.jobs.shout"
    assert (job.name, job.priority, job.max_attempts, job.timeout, job.queue) == (
        "shout",
        5,
        2,
        30,
        "loud",
    )
    assert job.params == {"text": "hi"}


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (lambda: 1, "lambda"),
        (make_closure(), "closure"),
        (Holder.static, "method"),
        (jobs.multiply, "already decorated"),
    ],
)
def test_task_rejects_what_a_worker_cannot_run(target, message):
    with pytest.raises(TypeError, match=message):
        task(target)


def test_task_rejects_generators_and_unknown_options():
    def generator():
        yield 1

    generator.__qualname__ = "generator"
    with pytest.raises(TypeError, match="generator"):
        task(generator)
    with pytest.raises(TypeError, match="unknown option"):
        task(colour="red")
    with pytest.raises(ValueError, match="timeout must be between 1"):
        task(timeout=0)


def test_queue_defaults_to_the_configured_default_queue(settings):
    settings.GIGQ = {"DEFAULT_QUEUE": "background"}
    assert Job("q", jobs.noop).queue == "background"
    assert Job("q", jobs.noop, queue="mail").queue == "mail"
