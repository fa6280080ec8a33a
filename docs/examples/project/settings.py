"""The settings the installation page shows: the app, and SQLite set up for workers."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

# --8<-- [start:apps]
INSTALLED_APPS = [
    # ...
    "django_gigq",  # before the admin, to link the jobs dashboard from its index page
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rangefilter",
]
# --8<-- [end:apps]

# --8<-- [start:sqlite]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
        "OPTIONS": {
            # Writers wait for each other (up to 30 s) instead of failing.
            "timeout": 30,
            # WAL: readers go on while a worker writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}
# --8<-- [end:sqlite]
