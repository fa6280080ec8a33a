"""``JobType``: jobs written as classes, with options as class attributes and lifecycle hooks.

A subclass names what to run (``run``), how (``queue``, ``priority``, ``max_attempts``,
``timeout``, the retry policy) and what to do around it (``on_start``, ``on_success``,
``on_retry``, ``on_failure``). ``MyJob.submit(**params)`` stores a job whose function is the
class's import path and whose params are the instance's public attributes; the worker
imports the class, rebuilds the instance from those attributes (without calling
``__init__`` again) and calls ``run``. ``django_gigq.job_type_runner`` does that part.

Every subclass registers itself by import path (``job_types()``), so the admin and the
schedules can list what can be run.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, ClassVar

from .retries import retry_delay_seconds
from .validation import validate_params

if TYPE_CHECKING:
    from .context import JobContext
    from .jobs import Job

#: Every ``JobType`` subclass defined so far, by import path.
_REGISTRY: dict[str, type[JobType]] = {}

#: The ``Job`` arguments a job type may set through ``job_options()``.
JOB_OPTIONS = (
    "queue",
    "priority",
    "max_attempts",
    "timeout",
    "retry_delay",
    "retry_backoff",
    "retry_max_delay",
    "description",
)


class JobType:
    """Base class of class-based jobs.

    Subclass it at module level and implement ``run`` (sync or ``async``):

        class ResizeImage(JobType):
            queue = "images"
            max_attempts = 5

            def run(self, path, width):
                ...
                return {"path": path}

        ResizeImage.submit(path="a.png", width=200)

    The default ``__init__`` stores each keyword argument as an attribute; the public
    attributes (names not starting with ``_``) are the job's params, and must be JSON
    values. Override ``__init__`` to validate input at submit: it runs in the submitting
    process only, never in the worker.

    ``run`` receives the params its signature accepts (all of them with ``**params``); a
    ``run(self)`` reads them from ``self``. A subclass that defines ``handle`` instead of
    ``run``, and ``failed(exc)`` instead of ``on_failure``, works too (Laravel's names).

    Hooks run in the worker's child process, around each attempt: ``on_start()`` before
    ``run`` (an exception there fails the attempt), then ``on_success(result)``,
    ``on_retry(exc, attempt, delay)`` when another attempt will follow, or
    ``on_failure(exc)`` once, after the last attempt. An exception raised by
    ``on_success``, ``on_retry`` or ``on_failure`` is logged and does not change how the
    job ended. A run stopped at its timeout, or whose worker died, ends without hooks: its
    process is killed, so no code of the job can run; the job is retried or fails as any
    other job (see "Class-based jobs" in the guide).
    """

    #: The job's name (default: the class name).
    name: ClassVar[str | None] = None
    #: The queue (None: ``GIGQ["DEFAULT_QUEUE"]``).
    queue: ClassVar[str | None] = None
    priority: ClassVar[int] = 0
    max_attempts: ClassVar[int] = 3
    timeout: ClassVar[int] = 300
    retry_delay: ClassVar[int] = 0
    retry_backoff: ClassVar[str] = "fixed"
    retry_max_delay: ClassVar[int | None] = None
    description: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.job_type_path()] = cls

    def __init__(self, **params: Any) -> None:
        for key, value in params.items():
            setattr(self, key, value)

    @property
    def context(self) -> JobContext:
        """The context of the run in progress: ``job_id``, ``attempt``, ``set_progress``,
        ``snooze``, ``cancel``, ``dependency_results`` (see ``JobContext``).

        Raises:
            RuntimeError: the instance is not being run by a worker.
        """
        context = self.__dict__.get("_context")
        if context is None:
            raise RuntimeError(
                f"{type(self).__qualname__}.context exists only while a worker runs the job"
            )
        return context

    # -- what a subclass implements ------------------------------------------------------

    def run(self, **params: Any) -> Any:
        """Do the work; return a JSON value (the job's result)."""
        handle = getattr(self, "handle", None)
        if handle is None:
            raise NotImplementedError(
                f"{type(self).__qualname__} must define run(self, ...) (or handle(self, ...))"
            )
        return handle(**params)

    def on_start(self) -> None:
        """Called in the worker before each attempt."""

    def on_success(self, result: Any) -> None:
        """Called after an attempt succeeded, with its result."""

    def on_retry(self, exc: BaseException, attempt: int, delay: float) -> None:
        """Called after attempt number ``attempt`` failed with ``exc``; the next one starts
        in ``delay`` seconds."""

    def on_failure(self, exc: BaseException) -> None:
        """Called once, after the last attempt failed with ``exc`` (or one that cannot
        succeed on retry, such as params that do not fit ``run``)."""
        failed = getattr(self, "failed", None)
        if failed is not None:
            failed(exc)

    def next_retry_delay(self, attempt: int, exc: BaseException) -> float:
        """Return the seconds to wait after failed attempt ``attempt`` (1-based).

        The default follows ``retry_delay``, ``retry_backoff`` and ``retry_max_delay``;
        override it for a policy of your own.
        """
        return retry_delay_seconds(
            self.retry_backoff, self.retry_delay, self.retry_max_delay, attempt
        )

    def job_options(self) -> dict[str, Any]:
        """Return the ``Job`` options of this instance: the class attributes by default.

        Override it to choose options from the params (a priority from a category, a queue
        per customer...). Runs at submit, in the submitting process.
        """
        return {option: getattr(self, option) for option in JOB_OPTIONS}

    # -- submitting ----------------------------------------------------------------------

    @classmethod
    def job_type_path(cls) -> str:
        """The dotted path a worker imports this class by."""
        return f"{cls.__module__}.{cls.__qualname__}"

    @classmethod
    def to_job(cls, **params: Any) -> Job:
        """Return a ``Job`` that runs this class with ``params`` (nothing is stored yet).

        Raises:
            TypeError, ValueError: the class cannot be imported by a worker, ``__init__``
                refused the params, or an attribute is not JSON.
        """
        return cls(**params).as_job()

    @classmethod
    def submit(cls, **params: Any) -> str:
        """Store a job that runs this class with ``params``; return its id.

        As ``JobQueue().submit(cls.to_job(**params))``: inside a transaction, the job is
        stored in it.
        """
        from .queue import JobQueue

        return JobQueue().submit(cls.to_job(**params))

    def as_job(self) -> Job:
        """Return a ``Job`` that runs this instance's class with its public attributes."""
        from .jobs import Job

        cls = type(self)
        _check_importable(cls)
        params = self.job_params()
        _check_run_accepts(cls, params)
        options = self.job_options()
        name = cls.name or cls.__name__
        return Job(name=name, function=cls.job_type_path(), params=params, **options)

    def job_params(self) -> dict[str, Any]:
        """Return the public attributes: what the worker will rebuild this instance from."""
        state = {key: value for key, value in vars(self).items() if not key.startswith("_")}
        return validate_params(state)

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> JobType:
        """Rebuild an instance from stored params, without calling ``__init__``."""
        instance = cls.__new__(cls)
        vars(instance).update(params)
        return instance


def job_types() -> dict[str, type[JobType]]:
    """Return every ``JobType`` subclass defined so far, by import path."""
    return dict(_REGISTRY)


def is_job_type(value: Any) -> bool:
    """Return whether ``value`` is a ``JobType`` subclass."""
    return inspect.isclass(value) and issubclass(value, JobType) and value is not JobType


def _check_importable(cls: type[JobType]) -> None:
    qualname = cls.__qualname__
    if "<locals>" in qualname:
        raise TypeError(
            f"job type {qualname} is defined inside a function, where a worker cannot "
            f"import it; define the class at module level"
        )
    if cls.__module__ == "__main__":
        raise ValueError(
            f"job type {qualname} is defined in __main__, which a worker process cannot "
            f"import; move it into a module of your project"
        )


def _check_run_accepts(cls: type[JobType], params: dict[str, Any]) -> None:
    """Refuse at submit params that ``run`` could never be called with."""
    if cls.__init__ is not JobType.__init__:
        return  # a custom __init__ keeps state of its own; run reads it from self
    method = cls.run if cls.run is not JobType.run else getattr(cls, "handle", None)
    if method is None:
        return
    signature = inspect.signature(method)
    accepts_all = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    if accepts_all:
        return
    required = [
        name
        for name, p in list(signature.parameters.items())[1:]
        if p.default is p.empty
        and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        and name != "parent_results"  # given by the worker, from the dependencies
    ]
    missing = [name for name in required if name not in params]
    if missing:
        raise TypeError(
            f"{cls.__qualname__}.run needs {', '.join(missing)}; pass "
            f"{', '.join(f'{name}=...' for name in missing)} to submit() / to_job()"
        )
