"""``Job``: a description of work to submit, as in GigQ."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from .conf import gigq_settings
from .db import uuid7
from .importing import callable_path
from .retries import RetryBackoff
from .validation import encode_params, parse_job_id, validate_int, validate_text

#: Read once: ``RetryBackoff.values`` builds its list on every access.
_BACKOFFS = tuple(RetryBackoff.values)


class Job:
    """A job to submit: a function, its params, and how to run it.

    ``Job`` is a plain description; nothing is stored until a ``JobQueue`` submits it.
    Its ``id`` (a UUID string) exists from construction, so other jobs can depend on it
    before it is submitted.

    Args:
        name: A label for people (not unique).
        function: A module-level function, a ``@task`` function, or its dotted path.
        params: Keyword arguments for the function, as JSON values.
        priority: Higher runs first.
        dependencies: Ids (or ``Job`` objects) that must complete before this job runs.
        max_attempts: How many times it may run in all (at least 1).
        timeout: Seconds one run may take (at least 1).
        description: Free text.
        retry_delay: Seconds to wait before a retry.
        queue: The queue it goes to (default: ``GIGQ["DEFAULT_QUEUE"]``, ``"default"``);
            workers choose the queues they serve.
        pass_parent_results: Inject ``parent_results`` (the dependencies' results): ``True``
            always, ``False`` never, ``None`` when the function accepts it.
        retry_backoff: ``"fixed"`` (wait ``retry_delay`` every time), ``"exponential"``
            (double it after each failure, with jitter) or ``"random"`` (a random wait up
            to the exponential one).
        retry_max_delay: The longest wait between attempts, in seconds.
        run_after: The earliest time it may start (an aware datetime); None: at once.
        unique_key: At most one pending or running job holds a given key (the database
            enforces it); submitting another returns the holder's id, or raises
            ``DuplicateJob`` (see ``JobQueue.submit``).

    Raises:
        TypeError, ValueError: an argument a worker could not use; the message says which.
    """

    def __init__(
        self,
        name: str,
        function: Callable[..., Any] | str,
        params: dict[str, Any] | None = None,
        priority: int = 0,
        dependencies: Iterable[str | Job] | None = None,
        max_attempts: int = 3,
        timeout: int = 300,
        description: str = "",
        retry_delay: int = 0,
        queue: str | None = None,
        pass_parent_results: bool | None = None,
        retry_backoff: str = "fixed",
        retry_max_delay: int | None = None,
        run_after: datetime | None = None,
        unique_key: str | None = None,
    ) -> None:
        self.id = str(uuid7())
        self.name = name
        self.function = function
        self.params = {} if params is None else params
        self.priority = priority
        self.dependencies = _dependency_ids(dependencies or [])
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.description = description
        self.retry_delay = retry_delay
        self.queue = gigq_settings.DEFAULT_QUEUE if queue is None else queue
        self.pass_parent_results = pass_parent_results
        self.retry_backoff = retry_backoff
        self.retry_max_delay = retry_max_delay
        self.run_after = run_after
        self.unique_key = unique_key
        #: Set by ``JobQueue.submit`` to the id of the job that already held
        #: ``unique_key``, when this one was not stored because of it.
        self.duplicate_of: str | None = None
        # What the last validate() found: the function's path and the params as JSON,
        # which submit stores, so that it neither resolves nor encodes them again.
        self._checked: tuple[str, str] | None = None
        self.validate()

    @property
    def function_path(self) -> str:
        """The dotted path a worker imports the function by."""
        return callable_path(self.function)

    def validate(self) -> None:
        """Check every field; submit calls this again, as fields may have changed."""
        validate_text("name", self.name, max_length=255)
        function_path = self.function_path  # raises for functions a worker cannot import
        params_json = encode_params(self.params)
        validate_int("priority", self.priority, minimum=-(2**31))
        validate_int("max_attempts", self.max_attempts, minimum=1)
        validate_int("timeout", self.timeout, minimum=1)
        validate_int("retry_delay", self.retry_delay, minimum=0)
        validate_text("description", self.description)
        validate_text("queue", self.queue, max_length=100)
        if not self.queue:
            raise ValueError("queue must not be empty")
        if self.retry_backoff not in _BACKOFFS:
            raise ValueError(
                f"retry_backoff must be one of {', '.join(RetryBackoff.values)}; "
                f"got {self.retry_backoff!r}"
            )
        if self.retry_max_delay is not None:
            validate_int("retry_max_delay", self.retry_max_delay, minimum=0)
        if self.pass_parent_results not in (None, True, False):
            raise TypeError(
                f"pass_parent_results must be True, False or None; got {self.pass_parent_results!r}"
            )
        _validate_run_after(self.run_after)
        if self.unique_key is not None:
            validate_text("unique_key", self.unique_key, max_length=255)
            if not self.unique_key:
                raise ValueError("unique_key must not be empty; pass None for no key")
        self.dependencies = _dependency_ids(self.dependencies)
        if self.id in self.dependencies:
            raise ValueError(f"job {self.id} ({self.name}) cannot depend on itself")
        self._checked = (function_path, params_json)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.name!r} {self.function_path}>"


def _validate_run_after(run_after: Any) -> None:
    if run_after is None:
        return
    if not isinstance(run_after, datetime):
        raise TypeError(f"run_after must be a datetime or None; got {type(run_after).__name__}")
    if timezone.is_naive(run_after):
        raise ValueError(
            f"run_after must be an aware datetime; got the naive {run_after.isoformat()} "
            f"(use django.utils.timezone.now() + timedelta(...))"
        )


def _dependency_ids(dependencies: Iterable[str | Job]) -> list[str]:
    if isinstance(dependencies, (str, bytes)):
        raise TypeError("dependencies must be a list of job ids, not a single string")
    ids: list[str] = []
    for dependency in dependencies:
        job_id = dependency.id if isinstance(dependency, Job) else dependency
        job_id = str(parse_job_id(job_id))
        if job_id not in ids:
            ids.append(job_id)
    return ids
