"""``GigQRouter``: keep django-gigq's tables in the database ``GIGQ["DATABASE"]`` names.

django-gigq's own code always names that database; the router makes everything else
(the admin, your ORM queries on ``django_gigq.models``, ``migrate``) agree:

```python
DATABASE_ROUTERS = ["django_gigq.routers.GigQRouter"]
GIGQ = {"DATABASE": "jobs"}
```

Then run ``manage.py migrate --database jobs`` to create the tables there.
"""

from __future__ import annotations

from typing import Any

from .conf import gigq_settings

APP_LABEL = "django_gigq"


class GigQRouter:
    """Route django-gigq's models to ``GIGQ["DATABASE"]``; say nothing about other models."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        """Read django-gigq's models from the job database."""
        return gigq_settings.DATABASE if _is_ours(model) else None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        """Write django-gigq's models to the job database."""
        return gigq_settings.DATABASE if _is_ours(model) else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        """Allow relations among django-gigq's models; leave the rest to other routers."""
        if _is_ours(type(obj1)) and _is_ours(type(obj2)):
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        """Create django-gigq's tables in the job database only."""
        if app_label == APP_LABEL:
            return db == gigq_settings.DATABASE
        return None


def _is_ours(model: type) -> bool:
    meta = getattr(model, "_meta", None)
    return meta is not None and meta.app_label == APP_LABEL
