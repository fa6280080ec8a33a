"""``manage.py ensure_admin``: create the demo's superuser, or reset its password."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create a superuser with a known password (default admin / admin), or reset it."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default="admin")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "ensure_admin sets a well-known password, so it only runs with DEBUG on; "
                "use `manage.py createsuperuser` for a real site"
            )
        User = get_user_model()
        user, created = User.objects.get_or_create(**{User.USERNAME_FIELD: options["username"]})
        user.is_active = user.is_staff = user.is_superuser = True
        user.set_password(options["password"])
        user.save()
        verb = "Created" if created else "Reset"
        self.stdout.write(f"{verb} superuser {options['username']!r}.")
