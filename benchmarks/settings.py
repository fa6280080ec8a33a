"""Settings for the benchmarks: the database comes from ``GIGQ_BENCH_DB``.

``sqlite`` (a file in the temp folder), ``postgres`` (database ``gigq_bench`` on
127.0.0.1:5432) or ``mariadb`` (``gigq_bench`` on 127.0.0.1:3306). ``GIGQ_BENCH_NAME``
names another database (``--dbname``). The benchmark creates the database if needed.
"""

import os
import tempfile

BACKEND = os.environ.get("GIGQ_BENCH_DB", "postgres")
NAME = os.environ.get("GIGQ_BENCH_NAME", "gigq_bench")

if BACKEND == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(tempfile.gettempdir(), f"{NAME}.sqlite3"),
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
            "NAME": NAME,
            "USER": os.environ.get("PGUSER", "postgres"),
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
        }
    }
elif BACKEND == "mariadb":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": NAME,
            "USER": os.environ.get("MYSQL_USER", "root"),
            "PASSWORD": os.environ.get("MYSQL_PASSWORD", ""),
            "HOST": os.environ.get("MYSQL_HOST", "127.0.0.1"),
            "PORT": os.environ.get("MYSQL_PORT", "3306"),
            "OPTIONS": {"charset": "utf8mb4"},
        }
    }
else:
    raise RuntimeError(f"GIGQ_BENCH_DB must be sqlite, postgres or mariadb; got {BACKEND!r}")

SECRET_KEY = "django-gigq-benchmarks"
USE_TZ = True
TIME_ZONE = "UTC"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    # The admin, for ``benchmarks.admin_changelist``.
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "rangefilter",
    "django_gigq",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
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
ROOT_URLCONF = "benchmarks.admin_changelist"
ALLOWED_HOSTS = ["testserver"]
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
GIGQ = {"ALLOWED_MODULES": ["benchmarks", "django_gigq.bench"]}
