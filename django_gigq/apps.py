"""The app's configuration: its name in the admin, its system checks, optional metrics."""

import importlib.util

from django.apps import AppConfig


class GigQConfig(AppConfig):
    """django-gigq's ``AppConfig``: registers its system checks when Django is ready."""

    name = "django_gigq"
    verbose_name = "Background jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks

        checks.register()
        # The "prometheus" extra: installing prometheus_client switches the counters on.
        if importlib.util.find_spec("prometheus_client") is not None:
            from .metrics import connect_receivers

            connect_receivers()
