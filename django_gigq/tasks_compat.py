"""Where Django's Tasks framework comes from: ``django.tasks`` or the ``django-tasks`` backport.

Django 6.0+ ships ``django.tasks``. On Django 5.2 the same API is the ``django-tasks``
package (``django_tasks``). With neither, ``AVAILABLE`` is False and ``UNAVAILABLE_REASON``
says what to install.

Nothing is imported from the framework until a name below is used: importing
``django.tasks`` registers its system check, and projects that never use it should not pay
for it on every job.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

#: The framework's package, in order of preference.
PACKAGES = ("django.tasks", "django_tasks")


def _find_package() -> str | None:
    for name in PACKAGES:
        try:
            if importlib.util.find_spec(name) is not None:
                return name
        except ModuleNotFoundError:  # a missing parent package
            continue
    return None


PACKAGE = _find_package()
AVAILABLE = PACKAGE is not None
UNAVAILABLE_REASON = (
    ""
    if AVAILABLE
    else (
        "django-gigq's django.tasks backend needs Django 6.0 or later, or the django-tasks "
        "backport on Django 5.2 (pip install django-tasks)"
    )
)

#: Public name -> (submodule of the package, attribute). The backport names one exception
#: differently; ``_BACKPORT_NAMES`` holds its spelling.
_NAMES = {
    "Task": ("base", "Task"),
    "TaskContext": ("base", "TaskContext"),
    "TaskError": ("base", "TaskError"),
    "TaskResult": ("base", "TaskResult"),
    "TaskResultStatus": ("base", "TaskResultStatus"),
    "BaseTaskBackend": ("backends.base", "BaseTaskBackend"),
    "InvalidTask": ("exceptions", "InvalidTask"),
    "TaskResultDoesNotExist": ("exceptions", "TaskResultDoesNotExist"),
    "task_enqueued": ("signals", "task_enqueued"),
    "task_started": ("signals", "task_started"),
    "task_finished": ("signals", "task_finished"),
    "task_backends": ("", "task_backends"),
    "normalize_json": ("", "normalize_json"),
}
_BACKPORT_NAMES = {"InvalidTask": "InvalidTaskError"}


def __getattr__(name: str) -> Any:
    try:
        submodule, attribute = _NAMES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    if PACKAGE is None:
        raise ImportError(UNAVAILABLE_REASON)
    if name == "normalize_json":  # Django's own helper; the backport carries a copy
        json_module = "django.utils.json" if PACKAGE == "django.tasks" else "django_tasks.utils"
        return importlib.import_module(json_module).normalize_json
    module = importlib.import_module(f"{PACKAGE}.{submodule}" if submodule else PACKAGE)
    if PACKAGE == "django_tasks":
        attribute = _BACKPORT_NAMES.get(name, attribute)
    return getattr(module, attribute)


def is_task(value: Any) -> bool:
    """Return whether ``value`` is a ``django.tasks`` ``Task``.

    Without importing the framework: a Task can only exist once its module is imported.
    """
    for name in PACKAGES:
        base = sys.modules.get(f"{name}.base")
        if base is not None and isinstance(value, base.Task):
            return True
    return False
