"""System checks: one test per check id, and a clean configuration passes them all."""

import os
import tempfile

import pytest
from django.core import checks
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test import override_settings

from django_gigq import checks as gigq_checks
from django_gigq.backends import AVAILABLE


def ids(messages):
    return [message.id for message in messages]


class Connections:
    """Stands in for ``django.db.connections`` with the given connection as ``default``."""

    def __init__(self, connection):
        self.settings = {"default": connection.settings_dict}
        self._connection = connection

    def __getitem__(self, alias):
        return self._connection

    def __iter__(self):
        return iter(self.settings)


def test_checks_are_registered_by_the_app():
    registered = checks.registry.registry.get_checks(include_deployment_checks=False)
    assert gigq_checks.check_settings in registered
    assert gigq_checks.check_database in registered


def test_project_settings_pass_every_check(db):
    assert gigq_checks.check_settings() == []
    assert gigq_checks.check_database(databases=["default"]) == []


@override_settings(GIGQ=["DATABASE", "default"])
def test_gigq_that_is_not_a_dict_is_E001():
    assert ids(gigq_checks.check_settings()) == ["django_gigq.E001"]


@override_settings(GIGQ={"DATABASE": "jobs"})
def test_unknown_database_alias_is_E002():
    messages = gigq_checks.check_settings()
    assert ids(messages) == ["django_gigq.E002"]
    assert "'jobs'" in messages[0].msg
    assert "default" in messages[0].hint


@override_settings(
    GIGQ={
        "POLLING_INTERVAL": -1,
        "MAX_PARAMS_BYTES": "lots",
        "HEARTBEAT_INTERVAL": 10,
        "LEASE_SECONDS": 5,
        "ALLOWED_MODULES": "myproject",
        "DEFAULT_QUEUE": "",
    }
)
def test_invalid_setting_values_are_E003():
    messages = gigq_checks.check_settings()
    assert ids(messages) == ["django_gigq.E003"] * 5
    text = "\n".join(message.msg for message in messages)
    for name in (
        "POLLING_INTERVAL",
        "MAX_PARAMS_BYTES",
        "LEASE_SECONDS",
        "ALLOWED_MODULES",
        "DEFAULT_QUEUE",
    ):
        assert f"GIGQ['{name}']" in text
    assert "more seconds than HEARTBEAT_INTERVAL" in text


def test_database_without_skip_locked_is_E004(monkeypatch, db):
    from django.db import connection

    class NoSkipLocked:
        vendor = "mysql"
        display_name = "MySQL 5.7"
        settings_dict = connection.settings_dict

        class features:
            has_select_for_update_skip_locked = False

    monkeypatch.setattr(gigq_checks, "connections", Connections(NoSkipLocked()))
    messages = gigq_checks.check_database(databases=["default"])
    assert ids(messages) == ["django_gigq.E004"]
    assert "MariaDB 10.6+" in messages[0].hint


def test_database_checks_run_only_when_asked_for_the_job_database():
    # Without ``databases`` (plain ``manage.py check``) they do not connect.
    assert gigq_checks.check_database() == []
    assert gigq_checks.check_database(databases=["other"]) == []


@pytest.mark.skipif(not AVAILABLE, reason="django.tasks is not available")
def test_backend_without_the_app_installed_is_E005(monkeypatch):
    from django_gigq.backends import GigQBackend

    monkeypatch.setattr(gigq_checks.apps, "is_installed", lambda name: False)
    messages = GigQBackend("default", {}).check()
    assert ids(messages) == ["django_gigq.E005"]


@pytest.mark.skipif(not AVAILABLE, reason="django.tasks is not available")
def test_invalid_backend_options_are_E006():
    from django_gigq.backends import GigQBackend

    backend = GigQBackend("default", {"OPTIONS": {"max_attempts": 0, "retry_backoff": "linear"}})
    messages = backend.check()
    assert ids(messages) == ["django_gigq.E006"] * 2
    assert "max_attempts must be between 1" in messages[0].msg
    assert "retry_backoff must be one of" in messages[1].msg


@override_settings(GIGQ={"POLLING_INTERVALL": 2})
def test_unknown_key_is_W001_with_a_suggestion():
    messages = gigq_checks.check_settings()
    assert ids(messages) == ["django_gigq.W001"]
    assert "Did you mean 'POLLING_INTERVAL'?" in messages[0].hint


def test_sqlite_without_wal_is_W002(monkeypatch, db):
    from django.db import connections

    path = os.path.join(tempfile.mkdtemp(), "jobs.sqlite3")
    settings_dict = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {},
    }
    rollback_journal = SQLiteWrapper(settings_dict, alias="default")
    monkeypatch.setattr(gigq_checks, "connections", Connections(rollback_journal))
    try:
        messages = gigq_checks.check_database(databases=["default"])
    finally:
        rollback_journal.close()
    assert ids(messages) == ["django_gigq.W002"]
    assert "journal_mode=WAL" in messages[0].hint


@pytest.mark.skipif(not AVAILABLE, reason="django.tasks is not available")
def test_unknown_backend_option_is_W003():
    from django_gigq.backends import GigQBackend

    messages = GigQBackend("default", {"OPTIONS": {"max_attempt": 3}}).check()
    assert ids(messages) == ["django_gigq.W003"]
    assert "Did you mean 'max_attempts'?" in messages[0].hint


def forget_migrations(*names):
    """Make the job database look as if these django_gigq migrations (default: all) were
    not applied."""
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder.Migration.objects.filter(app="django_gigq")
    (applied.filter(name__in=names) if names else applied).delete()


def test_job_database_missing_some_migrations_is_W004(db):
    assert gigq_checks.check_migrations(databases=["default"]) == []
    forget_migrations("0002_job_permissions")

    messages = gigq_checks.check_migrations(databases=["default"])

    assert ids(messages) == ["django_gigq.W004"]
    assert "0002_job_permissions" in messages[0].msg
    assert messages[0].hint == "Run `python manage.py migrate --database default`."
    assert gigq_checks.check_migrations() == []  # plain `check` does not connect


def test_database_without_any_migration_yet_is_left_to_migrate(db):
    # migrate runs the database checks before it migrates: a first one must not warn.
    forget_migrations()

    assert gigq_checks.check_migrations(databases=["default"]) == []


def test_gigq_worker_refuses_to_start_without_the_migrations(db):
    from django.core.management import CommandError, call_command

    forget_migrations()

    with pytest.raises(CommandError, match=r"lacks django-gigq's migrations \(0001_initial, "):
        call_command("gigq_worker", "--burst")
