"""The app's configuration: its name in the admin, and its system checks."""

from django.apps import AppConfig


class GigQConfig(AppConfig):
    """django-gigq's ``AppConfig``: registers its system checks when Django is ready."""

    name = "django_gigq"
    verbose_name = "Background jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks

        checks.register()
