"""Preparing the benchmark database: create it and migrate it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure() -> None:
    """Set Django up with ``benchmarks.settings`` and a fresh, migrated database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    sys.path.insert(0, str(ROOT))
    _create_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_database() -> None:
    backend = os.environ.get("GIGQ_BENCH_DB", "postgres")
    name = os.environ.get("GIGQ_BENCH_NAME", "gigq_bench")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"--dbname must be letters, digits and underscores; got {name!r}")
    if backend == "postgres":
        import psycopg

        with psycopg.connect(
            host=os.environ.get("PGHOST", "127.0.0.1"),
            user=os.environ.get("PGUSER", "postgres"),
            dbname="postgres",
            autocommit=True,
        ) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(f"CREATE DATABASE {name}")
    elif backend == "mariadb":
        import MySQLdb

        connection = MySQLdb.connect(
            host=os.environ.get("MYSQL_HOST", "127.0.0.1"), user="root", password=""
        )
        connection.cursor().execute(f"CREATE DATABASE IF NOT EXISTS {name}")
        connection.close()
