from django.apps import AppConfig


class GigQConfig(AppConfig):
    name = "django_gigq"
    verbose_name = "Background jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks

        checks.register()
