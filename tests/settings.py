"""Settings for the test suite; the database comes from ``GIGQ_TEST_DB``.

``GIGQ_TEST_DB`` is ``sqlite`` (the default), ``postgres`` or ``mariadb``. Worker processes
started by tests get ``GIGQ_TEST_DB_NAME``, the name of the test database pytest-django
created, so they connect to the same one.
"""

import json
import os
import sys
import tempfile
from pathlib import Path

BACKEND = os.environ.get("GIGQ_TEST_DB", "sqlite")
TEST_DB_NAME = os.environ.get("GIGQ_TEST_DB_NAME")
# Two checkouts testing at once on one machine need different database names.
BASE_NAME = os.environ.get("GIGQ_TEST_DB_BASENAME", "gigq")

SQLITE_PATH = os.path.join(tempfile.gettempdir(), f"{BASE_NAME}-test-{os.getuid()}.sqlite3")

if BACKEND == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": TEST_DB_NAME or SQLITE_PATH,
            "TEST": {"NAME": SQLITE_PATH},
            "OPTIONS": {
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
elif BACKEND == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": TEST_DB_NAME or BASE_NAME,
            "USER": os.environ.get("PGUSER", "postgres"),
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
        }
    }
elif BACKEND == "mariadb":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": TEST_DB_NAME or BASE_NAME,
            "USER": os.environ.get("MYSQL_USER", "root"),
            "PASSWORD": os.environ.get("MYSQL_PASSWORD", ""),
            "HOST": os.environ.get("MYSQL_HOST", "127.0.0.1"),
            "PORT": os.environ.get("MYSQL_PORT", "3306"),
            "OPTIONS": {"charset": "utf8mb4"},
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    }
else:
    raise RuntimeError(f"GIGQ_TEST_DB must be sqlite, postgres or mariadb; got {BACKEND!r}")

if TEST_DB_NAME:
    # A worker process: it must use the test database as it is, not create another.
    DATABASES["default"]["TEST"] = {"NAME": TEST_DB_NAME}

# Worker processes started by tests take their GIGQ settings (short leases...) from here.
GIGQ = json.loads(os.environ.get("GIGQ_TEST_SETTINGS", "{}"))

# The chaos suite's clock-skew scenario starts workers whose wall clock is wrong.
if os.environ.get("GIGQ_TEST_CLOCK_SKEW"):
    from tests.clock import skew_wall_clock

    skew_wall_clock(float(os.environ["GIGQ_TEST_CLOCK_SKEW"]))

# Worker processes of the tracing tests export their spans to this file.
if os.environ.get("GIGQ_TEST_SPANS_FILE"):
    from docs.examples.observe.otel import configure_tracing
    from tests.spans import FileExporter

    configure_tracing(FileExporter(os.environ["GIGQ_TEST_SPANS_FILE"]), service_name="worker")

SECRET_KEY = "django-gigq-tests"
USE_TZ = True
TIME_ZONE = "UTC"
# The example project's ``demo`` app is installed too, so tests/test_example_project.py can
# drive its views; worker processes load these settings, so they can import it as well.
EXAMPLE_PROJECT = str(Path(__file__).resolve().parent.parent / "example_project")
if EXAMPLE_PROJECT not in sys.path:
    sys.path.append(EXAMPLE_PROJECT)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django_gigq",  # before the admin: it adds the dashboard link to the admin's index
    "django.contrib.admin",
    "rangefilter",
    "tests",
    "demo",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django.tasks (Django 6.0+, or the django-tasks backport on 5.2): tasks become django-gigq
# jobs. Ignored where the framework is missing.
TASKS = {
    "default": {
        "BACKEND": "django_gigq.backends.GigQBackend",
        "QUEUES": ["default", "emails"],
    }
}

# Django 6.1 configures email with MAILERS (and warns without it); older versions ignore it.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
