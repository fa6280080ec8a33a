"""``@task``: turn a module-level function into a job factory, as in GigQ."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .importing import callable_path
from .jobs import Job
from .validation import validate_int, validate_text

if TYPE_CHECKING:
    from .queue import JobQueue

_OPTIONS = (
    "name",
    "priority",
    "max_attempts",
    "timeout",
    "description",
    "retry_delay",
    "queue",
    "retry_backoff",
    "retry_max_delay",
)


class TaskWrapper:
    """A function decorated with ``@task``: still callable, and able to make jobs of itself."""

    def __init__(self, function: Callable[..., Any], options: dict[str, Any]) -> None:
        if isinstance(function, TaskWrapper):
            raise TypeError(f"{function.gigq_function_path} is already decorated with @task")
        if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
            raise TypeError(
                f"@task cannot wrap the generator function {function.__qualname__}: its "
                f"result is not JSON; return a list instead"
            )
        self.gigq_function = function
        self.gigq_function_path = callable_path(function, check_resolves=False)
        self.options = {"name": function.__name__, **options}
        functools.update_wrapper(self, function)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.gigq_function(*args, **kwargs)

    def to_job(self, **params: Any) -> Job:
        """Return a ``Job`` that calls this function with ``params``."""
        return Job(function=self.gigq_function_path, params=params, **self.options)

    def submit(self, queue: JobQueue, /, **params: Any) -> str:
        """Submit a job that calls this function with ``params`` to ``queue``; return its id.

        Raises:
            ValueError: the job was refused, as by ``JobQueue.submit``.
        """
        return queue.submit(self.to_job(**params))

    def __repr__(self) -> str:
        return f"<task {self.gigq_function_path}>"


def task(
    function: Callable[..., Any] | None = None, /, **options: Any
) -> TaskWrapper | Callable[[Callable[..., Any]], TaskWrapper]:
    """Decorate a module-level function so it can be submitted as a job.

    Use bare (``@task``) or with job options (``@task(priority=5, timeout=60)``): ``name``,
    ``priority``, ``max_attempts``, ``timeout``, ``description``, ``retry_delay``, ``queue``,
    ``retry_backoff``, ``retry_max_delay``.
    The function stays directly callable.

    Returns:
        A ``TaskWrapper`` (bare use), or a decorator that makes one (use with options).

    Raises:
        TypeError: an unknown option, or a function a worker could not import.
    """
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise TypeError(
            f"@task got unknown option(s) {', '.join(unknown)}; use {', '.join(_OPTIONS)}"
        )
    _validate_options(options)
    if function is None:
        return lambda decorated: TaskWrapper(decorated, options)
    return TaskWrapper(function, options)


def _validate_options(options: dict[str, Any]) -> None:
    for name in ("name", "description", "queue", "retry_backoff"):
        if name in options:
            validate_text(name, options[name])
    minimums = {"priority": -(2**31), "max_attempts": 1, "timeout": 1, "retry_delay": 0}
    for name, minimum in minimums.items():
        if name in options:
            validate_int(name, options[name], minimum=minimum)
