"""Settings for the example project: SQLite by default, or the database in ``DATABASE_URL``.

``DATABASE_URL`` takes ``postgres://user:password@host:port/name`` or
``mysql://user:password@host:port/name`` (MySQL 8 / MariaDB 10.6+). This is a demo: the
secret key is public and DEBUG is on unless ``DJANGO_DEBUG=0``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-example-project-only")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

_ENGINES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "mysql": "django.db.backends.mysql",
    "mariadb": "django.db.backends.mysql",
}


def database_from_url(url: str) -> dict[str, Any]:
    """Return a ``DATABASES`` entry for a ``postgres://`` or ``mysql://`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in _ENGINES:
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with postgres:// or mysql://; got {parts.scheme}://"
        )
    config: dict[str, Any] = {
        "ENGINE": _ENGINES[parts.scheme],
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }
    if not config["NAME"]:
        raise ImproperlyConfigured(f"DATABASE_URL must name a database: {parts.scheme}://.../name")
    if config["ENGINE"] == "django.db.backends.mysql":
        config["OPTIONS"] = {"charset": "utf8mb4"}
    return config


if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {
                # The worker and the web server write at the same time: WAL lets readers
                # go on during a write, and the timeout makes writers wait, not fail.
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

INSTALLED_APPS = [
    # Before the admin: django-gigq adds a link to its dashboard to the admin's index.
    "django_gigq",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rangefilter",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django.tasks (Django 6.0+): ``@task`` functions become django-gigq jobs, run by
# ``manage.py gigq_worker``. Django 5.2 ignores this setting (see demo/tasks.py).
TASKS = {"default": {"BACKEND": "django_gigq.backends.GigQBackend"}}
