from django.apps import AppConfig
from django.db.models.signals import post_save


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "django-gigq demo"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .models import Order
        from .signals import enqueue_receipt

        post_save.connect(enqueue_receipt, sender=Order, dispatch_uid="demo.enqueue_receipt")
