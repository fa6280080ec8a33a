"""Preparing the job table for a benchmark: emptying the bench queue, adding finished rows."""

from __future__ import annotations

from django.db import connections, transaction

from ..models import Job, JobDependency, JobExecution
from . import BENCH_QUEUE


def clear_bench_jobs(using: str) -> None:
    """Delete the benchmark's jobs (its queue only), with their executions and links.

    In SQL: ``QuerySet.delete()`` would load each of a million jobs into memory to honour
    the foreign keys that point at jobs.
    """
    connection = connections[using]
    jobs = Job.objects.using(using).in_queue(BENCH_QUEUE)
    with transaction.atomic(using=using):
        # Executions and dependency rows have nothing pointing at them: one DELETE each.
        JobExecution.objects.using(using).filter(job__in=jobs.values("id")).delete()
        JobDependency.objects.using(using).filter(job__in=jobs.values("id")).delete()
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Job._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE queue = %s", [BENCH_QUEUE])
    analyze(using)


def analyze(using: str) -> None:
    """Vacuum and refresh statistics, as autovacuum does on a queue in steady use.

    Right after a bulk submit into an emptied table the statistics still say "empty", and
    plans chosen for an empty table are not the ones a busy queue gets. On PostgreSQL the
    jobs an earlier measurement finished or deleted leave dead entries in the claim index
    until a vacuum; a claim would step over them.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        for model in (Job, JobExecution, JobDependency):
            table = connection.ops.quote_name(model._meta.db_table)
            if connection.vendor == "mysql":
                cursor.execute(f"ANALYZE TABLE {table}")
                cursor.fetchall()
            elif connection.vendor == "postgresql" and not connection.in_atomic_block:
                cursor.execute(f"VACUUM ANALYZE {table}")
            else:
                cursor.execute(f"ANALYZE {table}")


def add_finished_rows(count: int, using: str) -> None:
    """Add ``count`` completed jobs to the bench queue, copied in SQL from one template.

    Copying every column but the id keeps this working whatever columns the job table
    gains; a million rows take seconds on PostgreSQL instead of minutes through the ORM.
    """
    from ..jobs import Job as JobSpec
    from ..queue import JobQueue
    from .jobs import noop

    template = JobQueue(using).submit(JobSpec("finished", noop, queue=BENCH_QUEUE))
    Job.objects.using(using).filter(id=template).update(status="completed")
    connection = connections[using]
    table = connection.ops.quote_name(Job._meta.db_table)
    # Generated columns (active_unique_key) are computed by the database, never inserted.
    columns = [
        field.column
        for field in Job._meta.concrete_fields
        if not field.primary_key and not field.generated
    ]
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    new_id = {
        "postgresql": "gen_random_uuid()",
        "sqlite": "lower(hex(randomblob(16)))",
        "mysql": "REPLACE(UUID(), '-', '')",
    }[connection.vendor]
    series = (
        "generate_series(1, %s)"
        if connection.vendor == "postgresql"
        else "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
        "SELECT i FROM n) AS series"
    )
    template_id = Job._meta.pk.get_db_prep_value(template, connection)
    remaining = count - 1
    # MySQL stops recursive queries at 1,000 rows by default.
    largest_chunk = 1000 if connection.vendor == "mysql" else 100_000
    with connection.cursor() as cursor:
        while remaining > 0:
            chunk = min(remaining, largest_chunk)
            with transaction.atomic(using=using):
                cursor.execute(
                    f"INSERT INTO {table} (id, {quoted}) SELECT {new_id}, {quoted} "
                    f"FROM {table} CROSS JOIN {series} WHERE {table}.id = %s",
                    [chunk, template_id],
                )
            remaining -= chunk
    analyze(using)
