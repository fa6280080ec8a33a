"""django-gigq as a backend for Django's Tasks framework (``django.tasks``).

Name it in the ``TASKS`` setting:

```python
TASKS = {
    "default": {
        "BACKEND": "django_gigq.backends.GigQBackend",
        "QUEUES": ["default", "emails"],
        "OPTIONS": {"max_attempts": 5, "retry_backoff": "exponential"},
    }
}
```

The framework is part of Django 6.0+, and on Django 5.2 comes from the ``django-tasks``
backport. Without either this module still imports: ``AVAILABLE`` is False,
``UNAVAILABLE_REASON`` says why, and building the backend raises ``ImproperlyConfigured``
with that reason.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .tasks_compat import AVAILABLE, UNAVAILABLE_REASON

__all__ = ["AVAILABLE", "UNAVAILABLE_REASON", "GigQBackend", "GigQTask"]

if AVAILABLE:
    from .tasks_backend import GigQBackend, GigQTask
else:

    class GigQBackend:  # type: ignore[no-redef]
        """Stand-in for the backend where ``django.tasks`` is missing: says what to install."""

        def __init__(self, alias: str, params: dict[str, Any]) -> None:
            raise ImproperlyConfigured(UNAVAILABLE_REASON)

    GigQTask = None  # type: ignore[assignment,misc]
