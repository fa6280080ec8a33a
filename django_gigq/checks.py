"""System checks: the ``GIGQ`` settings, the job database, and the ``django.tasks`` backend.

Ids:

- ``django_gigq.E001``: ``GIGQ`` is not a dict.
- ``django_gigq.E002``: ``GIGQ["DATABASE"]`` is not a ``DATABASES`` alias.
- ``django_gigq.E003``: a ``GIGQ`` setting has a value django-gigq cannot use.
- ``django_gigq.E004``: the job database has no ``SELECT ... FOR UPDATE SKIP LOCKED``.
- ``django_gigq.E005``: ``GigQBackend`` is configured but ``django_gigq`` is not installed.
- ``django_gigq.E006``: a ``GigQBackend`` ``OPTIONS`` value a job would refuse.
- ``django_gigq.W001``: an unknown ``GIGQ`` key (a typo leaves a setting at its default).
- ``django_gigq.W002``: the SQLite job database is not in WAL journal mode.
- ``django_gigq.W003``: an unknown ``GigQBackend`` ``OPTIONS`` key.
- ``django_gigq.W004``: the job database has some of django-gigq's migrations, not all.

The database checks (E004, W002, W004) connect, so like Django's own they carry the
``database`` tag and run with ``migrate`` and ``check --database``. W004 is silent on a
database without any django-gigq migration: ``migrate`` runs the checks before it
migrates, and a first ``migrate`` should not warn about what it is about to do.
``gigq_worker`` refuses to start on a job database that lacks any of them
(``require_migrated``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.management.base import CommandError
from django.db import connections

from .conf import GigQSettings, gigq_settings

TAG = "django_gigq"
APP_LABEL = "django_gigq"


def register() -> None:
    """Register django-gigq's checks (called from ``AppConfig.ready``)."""
    checks.register(check_settings, TAG)
    checks.register(check_database, TAG, checks.Tags.database)
    checks.register(check_migrations, TAG, checks.Tags.database)


def known_settings() -> list[str]:
    """Return the ``GIGQ`` keys django-gigq reads: one ``GigQSettings`` property each."""
    return sorted(name for name, value in vars(GigQSettings).items() if isinstance(value, property))


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Check the ``GIGQ`` setting: its shape, its keys and its values."""
    raw = getattr(settings, "GIGQ", {})
    if not isinstance(raw, dict):
        return [
            checks.Error(
                f"GIGQ must be a dict; got {type(raw).__name__}.",
                hint='Set GIGQ = {"DATABASE": "default", ...} in your settings, or remove it.',
                id="django_gigq.E001",
            )
        ]
    messages = _unknown_keys(raw, known_settings(), "GIGQ", "django_gigq.W001")
    messages += _invalid_values(raw)
    database = raw.get("DATABASE", gigq_settings.DATABASE)
    if isinstance(database, str) and database not in connections.settings:
        messages.append(
            checks.Error(
                f"GIGQ['DATABASE'] is {database!r}, which is not in DATABASES.",
                hint=f"Use one of the aliases DATABASES defines: {', '.join(connections)}.",
                id="django_gigq.E002",
            )
        )
    return messages


def _unknown_keys(
    given: Iterable[str], known: list[str], where: str, check_id: str
) -> list[checks.CheckMessage]:
    messages = []
    for key in sorted(set(given) - set(known), key=str):
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f"Did you mean {close[0]!r}? " if close else ""
        messages.append(
            checks.Warning(
                f"{where} has the unknown key {key!r}; it is ignored.",
                hint=f"{hint}Known keys: {', '.join(known)}.",
                id=check_id,
            )
        )
    return messages


def _positive(value: float) -> bool:
    return value > 0


def _non_negative(value: float) -> bool:
    return value >= 0


def _lease_outlasts_heartbeat(value: float) -> bool:
    # A lease shorter than the heartbeat expires between renewals: running jobs get rescued.
    return value > gigq_settings.HEARTBEAT_INTERVAL


#: Setting -> (accepts the value read through conf, what a valid value is).
_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "DATABASE": (lambda v: isinstance(v, str), "a DATABASES alias (str)"),
    "DEFAULT_QUEUE": (
        lambda v: isinstance(v, str) and 0 < len(v) <= 100,
        "a queue name of 1 to 100 characters",
    ),
    "POLLING_INTERVAL": (_non_negative, "0 or more seconds"),
    "MAX_PARAMS_BYTES": (_positive, "a positive number of bytes"),
    "HEARTBEAT_INTERVAL": (_positive, "more than 0 seconds"),
    "LEASE_SECONDS": (_lease_outlasts_heartbeat, "more seconds than HEARTBEAT_INTERVAL"),
    "RESCUE_INTERVAL": (_positive, "more than 0 seconds"),
    "SHUTDOWN_TIMEOUT": (_non_negative, "0 or more seconds"),
    "CANCEL_GRACE_SECONDS": (_non_negative, "0 or more seconds"),
    "HEALTH_MAX_AGE": (_positive, "more than 0 seconds"),
}


def _invalid_values(raw: dict[str, Any]) -> list[checks.CheckMessage]:
    messages = []
    for name in known_settings():
        if name not in raw:
            continue
        try:
            problem = _problem(name, raw[name])
        except (TypeError, ValueError) as exc:
            problem = str(exc)
        if problem:
            messages.append(
                checks.Error(
                    f"GIGQ[{name!r}] is {raw[name]!r}: {problem}.",
                    hint=f"Fix or remove GIGQ[{name!r}]; see django_gigq.conf for its default.",
                    id="django_gigq.E003",
                )
            )
    return messages


def _problem(name: str, raw_value: Any) -> str:
    """Return what is wrong with a setting's value, or "" when nothing is."""
    if name == "ALLOWED_MODULES":
        if raw_value is None:
            return ""
        # A bare string would be read as a list of one-letter modules.
        if isinstance(raw_value, str) or not all(isinstance(m, str) for m in raw_value):
            return "it must be a list of top-level package names (str)"
        return ""
    if isinstance(raw_value, bool):
        return "it must not be a bool"
    value = getattr(gigq_settings, name)  # the conversion conf applies may itself raise
    accepts, expected = _RULES.get(name, (lambda v: True, ""))
    return "" if accepts(value) else f"it must be {expected}"


def check_database(
    app_configs: Any = None, databases: Iterable[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Check that the job database can claim jobs safely (needs a connection)."""
    alias = gigq_settings.DATABASE
    if not databases or alias not in databases or alias not in connections.settings:
        return []
    connection = connections[alias]
    if connection.vendor == "sqlite":
        return _check_sqlite_journal(connection, alias)
    if not connection.features.has_select_for_update_skip_locked:
        return [
            checks.Error(
                f"The job database {alias!r} ({connection.display_name}) does not support "
                f"SELECT ... FOR UPDATE SKIP LOCKED, which workers claim jobs with.",
                hint="Use PostgreSQL, MySQL 8.0.1+ or MariaDB 10.6+ (or SQLite on one machine).",
                id="django_gigq.E004",
            )
        ]
    return []


def _check_sqlite_journal(connection: Any, alias: str) -> list[checks.CheckMessage]:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = str(cursor.fetchone()[0]).lower()
    if mode in ("wal", "memory"):  # an in-memory database cannot use WAL, nor be shared
        return []
    return [
        checks.Warning(
            f"The SQLite job database {alias!r} uses journal mode {mode!r}: workers and "
            f"submitters block each other, and throughput drops several times.",
            hint=(
                f'Add "init_command": "PRAGMA journal_mode=WAL;" to '
                f'DATABASES[{alias!r}]["OPTIONS"] (WAL mode persists in the database file).'
            ),
            id="django_gigq.W002",
        )
    ]


def unapplied_migrations(alias: str) -> tuple[list[str], int]:
    """Return django-gigq's migrations not applied to ``alias``, and how many it has."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    ours = sorted(key for key in loader.graph.nodes if key[0] == APP_LABEL)
    missing = [name for app, name in ours if (app, name) not in loader.applied_migrations]
    return missing, len(ours)


def check_migrations(
    app_configs: Any = None, databases: Iterable[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Warn when the job database has some of django-gigq's migrations but not all."""
    alias = gigq_settings.DATABASE
    if not databases or alias not in databases or alias not in connections.settings:
        return []
    missing, total = unapplied_migrations(alias)
    if not missing or len(missing) == total:
        return []  # all applied, or none yet: a first migrate is about to apply them
    return [
        checks.Warning(
            f"django-gigq's migrations {', '.join(missing)} are not applied to the job "
            f"database {alias!r}; workers and the admin need them.",
            hint=f"Run `python manage.py migrate --database {alias}`.",
            id="django_gigq.W004",
        )
    ]


def require_migrated(alias: str) -> None:
    """Raise ``CommandError`` unless every django-gigq migration is applied to ``alias``.

    For commands that need the job tables (``gigq_worker``): a clear error at start
    instead of "no such table" from deep inside the worker.
    """
    missing, _total = unapplied_migrations(alias)
    if missing:
        raise CommandError(
            f"the job database {alias!r} lacks django-gigq's migrations "
            f"({', '.join(missing)}); run `python manage.py migrate --database {alias}` first"
        )


def check_tasks_backend(backend: Any) -> list[checks.CheckMessage]:
    """Check a ``GigQBackend``'s configuration (its ``check()`` calls this)."""
    from .tasks_backend import JOB_OPTIONS, option_errors

    where = f"TASKS[{backend.alias!r}]"
    messages: list[checks.CheckMessage] = []
    if not apps.is_installed("django_gigq"):
        messages.append(
            checks.Error(
                f"{where} uses django_gigq.backends.GigQBackend, but django_gigq is not in "
                f"INSTALLED_APPS.",
                hint='Add "django_gigq" to INSTALLED_APPS and run migrate.',
                id="django_gigq.E005",
            )
        )
    options = backend.options if isinstance(backend.options, dict) else {}
    messages += _unknown_keys(options, list(JOB_OPTIONS), f"{where}['OPTIONS']", "django_gigq.W003")
    known = {name: value for name, value in options.items() if name in JOB_OPTIONS}
    for problem in option_errors(known):
        messages.append(
            checks.Error(
                f"{where}['OPTIONS'] has an invalid value: {problem}.",
                hint="These are job defaults for every task; see django_gigq.Job for each.",
                id="django_gigq.E006",
            )
        )
    return messages
