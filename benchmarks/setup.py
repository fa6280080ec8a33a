"""Preparing the benchmark database: create it, migrate, empty the job tables."""

from __future__ import annotations

import os
import subprocess
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
    empty_job_tables()


def _create_database() -> None:
    backend = os.environ.get("GIGQ_BENCH_DB", "postgres")
    if backend == "postgres":
        import psycopg

        with psycopg.connect(
            host=os.environ.get("PGHOST", "127.0.0.1"),
            user=os.environ.get("PGUSER", "postgres"),
            dbname="postgres",
            autocommit=True,
        ) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'gigq_bench'"
            ).fetchone()
            if not exists:
                connection.execute("CREATE DATABASE gigq_bench")
    elif backend == "mariadb":
        import MySQLdb

        connection = MySQLdb.connect(
            host=os.environ.get("MYSQL_HOST", "127.0.0.1"), user="root", password=""
        )
        connection.cursor().execute("CREATE DATABASE IF NOT EXISTS gigq_bench")
        connection.close()


def empty_job_tables() -> None:
    """Delete every job row, fast."""
    from django.db import connection

    from django_gigq.models import Job, JobDependency, JobExecution, WorkerProcess, Workflow

    tables = [m._meta.db_table for m in (JobDependency, JobExecution, Job, Workflow, WorkerProcess)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Job._meta.db_table}")


def analyze_job_tables() -> None:
    """Refresh the planner's statistics, as autovacuum would on a queue in steady use.

    Right after a bulk submit into an emptied table the statistics still say "empty", and
    plans chosen for an empty table are not the ones a real queue gets.
    """
    from django.db import connection

    from django_gigq.models import Job, JobExecution

    tables = [model._meta.db_table for model in (Job, JobExecution)]
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "mysql":
                cursor.execute(f"ANALYZE TABLE {table}")
                cursor.fetchall()
            else:
                cursor.execute(f"ANALYZE {table}")


def start_worker(*args: str) -> subprocess.Popen:
    """Start ``gigq_worker`` with the benchmark settings."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="benchmarks.settings", PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "django", "gigq_worker", "-v", "0", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
