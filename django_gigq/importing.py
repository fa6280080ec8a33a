"""Turning job functions into dotted paths at submit, and back into callables in a worker."""

from __future__ import annotations

import functools
import importlib
import inspect
import re
import sys
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings

from .conf import gigq_settings
from .exceptions import UnrunnableJob
from .job_types import is_job_type
from .tasks_compat import is_task

_DOTTED_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


def callable_path(function: Callable[..., Any] | str, *, check_resolves: bool = True) -> str:
    """Return the dotted path a worker will import ``function`` by.

    Accepts a module-level function (or ``@task``-decorated function) or its dotted path.
    With ``check_resolves``, the path must lead back to this very function (a decorator
    calls it with False: the module's name is bound only after decoration).

    Raises:
        TypeError: ``function`` is not something a worker in another process can import
            (a lambda, a closure, a method, a ``functools.partial``, a class, ...).
        ValueError: the path is malformed, or the function lives in ``__main__``.
    """
    if isinstance(function, str):
        if not _DOTTED_PATH.match(function):
            raise ValueError(
                f"function path must be a dotted path like 'myapp.jobs.send_report'; "
                f"got {function!r}"
            )
        return function
    wrapped_task = getattr(function, "gigq_function_path", None)
    if isinstance(wrapped_task, str):
        return wrapped_task
    if is_job_type(function):
        return function.job_type_path()
    _reject_unimportable(function)
    module, qualname = function.__module__, function.__qualname__
    if module == "__main__":
        raise ValueError(
            f"function {qualname!r} is defined in __main__, which a worker process cannot "
            f"import; move it into a module of your project"
        )
    resolved = getattr(sys.modules.get(module), qualname, None)
    if (
        check_resolves
        and resolved is not function
        and getattr(resolved, "__wrapped__", None) is not function
    ):
        raise TypeError(
            f"{module}.{qualname} does not resolve to the function given (was it replaced, "
            f"or decorated without functools.wraps?); pass the module-level name instead"
        )
    return f"{module}.{qualname}"


def _reject_unimportable(function: Any) -> None:
    if isinstance(function, functools.partial):
        raise TypeError(
            "function cannot be a functools.partial; define a module-level function and "
            "pass the fixed arguments in params"
        )
    if inspect.ismethod(function):
        raise TypeError(
            f"function cannot be a bound method ({function.__qualname__}); use a module-level "
            f"function and pass what it needs in params"
        )
    if inspect.isclass(function):
        raise TypeError(f"function must be a function, not the class {function.__qualname__}")
    if not callable(function):
        raise TypeError(
            f"function must be a callable or a dotted path string; got "
            f"{type(function).__name__} {function!r}"
        )
    qualname = getattr(function, "__qualname__", None)
    if not isinstance(qualname, str) or not getattr(function, "__module__", None):
        raise TypeError(
            f"function must be a module-level function; got {type(function).__name__} "
            f"{function!r}, which has no import path"
        )
    if function.__name__ == "<lambda>":
        raise TypeError("function cannot be a lambda; define it at module level with def")
    if "<locals>" in qualname:
        raise TypeError(
            f"function cannot be a nested function or closure ({qualname}); a worker "
            f"imports functions by module path and cannot reach it: define it at module "
            f"level and pass what it captured in params (a Job subclass may still fix "
            f"function and params in its __init__), or write a django_gigq.JobType subclass"
        )
    if "." in qualname:
        raise TypeError(f"function cannot be a method ({qualname}); use a module-level function")


def allowed_modules() -> tuple[str, ...]:
    """Return the top-level packages whose callables workers may run.

    ``GIGQ["ALLOWED_MODULES"]`` replaces the default: the top-level packages of
    ``INSTALLED_APPS`` (but not ``django`` itself), of ``ROOT_URLCONF`` and of the settings
    module.
    """
    configured = gigq_settings.ALLOWED_MODULES
    if configured is not None:
        return configured
    packages = {config.name.split(".")[0] for config in apps.get_app_configs()}
    for dotted in (getattr(settings, "ROOT_URLCONF", None), settings.SETTINGS_MODULE):
        if dotted:
            packages.add(dotted.split(".")[0])
    packages.discard("django")
    return tuple(sorted(packages))


def is_allowed(path: str) -> bool:
    """Return whether ``path`` lies in one of the allowed modules."""
    return any(path == m or path.startswith(m + ".") for m in allowed_modules())


def check_allowed(path: str) -> None:
    """Raise ``ValueError`` unless a worker would be allowed to run ``path``."""
    if not is_allowed(path):
        raise ValueError(_not_allowed_message(path))


def _not_allowed_message(path: str) -> str:
    return (
        f"function {path!r} is not in an allowed module; workers only run callables from "
        f"{', '.join(allowed_modules()) or '(none)'} (add its package to "
        f"GIGQ['ALLOWED_MODULES'] if it should run)"
    )


def load_callable(path: str) -> Callable[..., Any]:
    """Import and return the function (or ``django.tasks`` Task) a stored job names.

    Raises:
        UnrunnableJob: the path is outside the allowlist, cannot be imported, or does not
            name a callable. Retrying would not help.
    """
    if not is_allowed(path):
        raise UnrunnableJob(_not_allowed_message(path))
    module_path, _, attribute = path.rpartition(".")
    try:
        module = importlib.import_module(module_path)
    except ImportError as exc:
        raise UnrunnableJob(f"cannot import module {module_path!r} for {path!r}: {exc}") from exc
    function = getattr(module, attribute, None)
    if function is None:
        raise UnrunnableJob(f"module {module_path!r} has no attribute {attribute!r}")
    function = getattr(function, "gigq_function", function)
    if not callable(function) and not is_task(function):
        raise UnrunnableJob(f"{path!r} is not callable")
    return function
