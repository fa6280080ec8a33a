"""Time the admin over a big job table: ``python -m benchmarks.admin_changelist``.

Fills PostgreSQL's ``gigq_bench`` database with ``--rows`` jobs (1,000,000 by default) in
one ``INSERT ... SELECT generate_series`` (seconds, not minutes), plus one execution per
job that ran, then renders the job list, filtered lists, a job's page and the dashboard
with Django's test client, and prints the median time and the queries of each page.
``--keep`` reuses the rows of an earlier run with the same ``--rows``.

This module is also the benchmark settings' URLconf (``urlpatterns``: the admin).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta

#: Statuses of the generated jobs, per 100 rows: mostly finished, as in a real table.
STATUS_SPREAD = (
    ("completed", 90),
    ("failed", 4),
    ("pending", 2),
    ("running", 1),
    ("cancelled", 2),
    ("timeout", 1),
)
QUEUES = ("default", "emails", "reports")
FUNCTIONS = (
    "shop.tasks.send_receipt",
    "shop.tasks.resize_image",
    "shop.tasks.sync_stock",
    "reports.tasks.build",
    "reports.tasks.export_csv",
)
#: Seconds between two generated jobs' creation: 1M jobs span about 23 days.
CREATED_EVERY = 2


def __getattr__(name: str):
    # The URLconf, built lazily: this module runs as __main__ before Django is set up.
    if name == "urlpatterns":
        from django.contrib import admin
        from django.urls import path

        return [path("admin/", admin.site.urls)]
    raise AttributeError(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="jobs (1000000)")
    parser.add_argument("--repeat", type=int, default=5, help="renders per page (5)")
    parser.add_argument("--keep", action="store_true", help="reuse the rows if they match")
    args = parser.parse_args()
    os.environ["GIGQ_BENCH_DB"] = "postgres"  # generate_series: PostgreSQL only

    from .setup import configure

    configure_keeping = args.keep and _rows_match(args.rows)
    if not configure_keeping:
        configure()
        began = time.perf_counter()
        fill(args.rows)
        took = time.perf_counter() - began
        print(f"inserted {args.rows:,} jobs and their executions in {took:.1f} s")
    else:
        print(f"reusing {args.rows:,} jobs")
    results = measure_pages(args.repeat)
    _print_table(args.rows, results)


def _rows_match(rows: int) -> bool:
    """Set Django up on the existing database; return whether it holds ``rows`` jobs."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    from django.db import DatabaseError

    from django_gigq.models import Job

    try:
        return Job.objects.count() == rows
    except DatabaseError:
        return False


def fill(rows: int) -> None:
    """Insert ``rows`` jobs, and an execution for each that started, in SQL."""
    from django.db import connection, transaction

    from django_gigq.models import Job, JobExecution

    job_sql, job_params = _insert_jobs_sql(rows)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(job_sql, job_params)
        cursor.execute(
            f"""
            INSERT INTO {JobExecution._meta.db_table}
                (id, job_id, attempt, worker_id, status, started_at, completed_at, duration,
                 result, error, exception_type, traceback)
            SELECT gen_random_uuid(), id, 1, worker_id, status, started_at, completed_at,
                   EXTRACT(EPOCH FROM completed_at - started_at), NULL,
                   error, '', ''
            FROM {Job._meta.db_table} WHERE started_at IS NOT NULL
            """
        )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Job._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {JobExecution._meta.db_table}")


def _insert_jobs_sql(rows: int) -> tuple[str, list]:
    """Return ``INSERT INTO job SELECT ... FROM generate_series`` and its parameters.

    Columns this script does not know (added after it was written) get their field's
    default, so the script keeps working as the model grows.
    """
    from django.db import connection

    from django_gigq.models import Job

    status_case = "CASE"
    bound = 0
    for status, share in STATUS_SPREAD:
        bound += share
        status_case += f" WHEN mod(i, 100) < {bound} THEN '{status}'"
    status_case += " END"
    queues = "(ARRAY[" + ", ".join(f"'{q}'" for q in QUEUES) + "])"
    functions = "(ARRAY[" + ", ".join(f"'{f}'" for f in FUNCTIONS) + "])"
    created = f"(now() - ({rows} - i) * interval '{CREATED_EVERY} seconds')"
    started = (
        f"CASE WHEN {status_case} = 'pending' THEN NULL ELSE {created} + interval '1 second' END"
    )
    finished = f"{status_case} NOT IN ('pending', 'running')"
    # Run times from 0.05 s to about 30 s, most of them short.
    run_time = "(0.05 + power(mod(i::bigint * 7919, 1000) / 1000.0, 3) * 30) * interval '1 second'"
    known = {
        "id": "gen_random_uuid()",
        "name": "'job-' || i",
        "function": f"{functions}[1 + mod(i, {len(FUNCTIONS)})]",
        "params": "jsonb_build_object('n', i)",
        "queue": f"{queues}[1 + mod(i, {len(QUEUES)})]",
        "priority": "mod(i, 10)",
        "description": "''",
        "status": status_case,
        "attempts": f"CASE WHEN {status_case} = 'pending' THEN 0 ELSE 1 END",
        "max_attempts": "3",
        "timeout": "300",
        "run_after": created,
        "pending_dependencies": "0",
        "result": f"CASE WHEN {status_case} = 'completed' THEN jsonb_build_object('ok', true) END",
        "error": f"CASE WHEN {status_case} = 'failed' THEN 'ValueError: bad input' ELSE '' END",
        "worker_id": f"CASE WHEN {started} IS NOT NULL THEN 'bench-' || mod(i, 8) END",
        "created_at": created,
        "updated_at": created,
        "started_at": started,
        "completed_at": f"CASE WHEN {finished} THEN {started} + {run_time} END",
    }
    columns, values, params = [], [], []
    for field in Job._meta.concrete_fields:
        if field.generated:  # computed by the database (active_unique_key)
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in known:
            values.append(known[field.column])
        elif field.has_default():
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        elif field.null:
            values.append("NULL")
        else:
            raise RuntimeError(f"no value for the new column job.{field.column}; add it to fill()")
    sql = (
        f"INSERT INTO {Job._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM generate_series(1, {rows}) AS i"
    )
    return sql, params


def measure_pages(repeat: int) -> list[dict]:
    """Render each admin page ``repeat`` times after a warm-up; return times and queries."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from django_gigq.models import Job

    user_model = get_user_model()
    user_model.objects.filter(username="bench").delete()
    client = Client()
    client.force_login(user_model.objects.create_superuser("bench", "", "bench"))
    day = (timezone.now() - timedelta(days=3)).date().isoformat()
    failed = Job.objects.with_status("failed").only("id").first()
    pages = {
        "job list": "/admin/django_gigq/job/",
        "job list, page 50": "/admin/django_gigq/job/?p=50",
        "status = failed": "/admin/django_gigq/job/?status__exact=failed",
        "status = running": "/admin/django_gigq/job/?status__exact=running",
        "queue = emails": "/admin/django_gigq/job/?queue=emails",
        "function = reports.tasks.build": "/admin/django_gigq/job/?function=reports.tasks.build",
        "created on one day": (
            f"/admin/django_gigq/job/?created_at__range__gte={day}&created_at__range__lte={day}"
        ),
        "completed on one day": (
            f"/admin/django_gigq/job/?completed_at__range__gte={day}&completed_at__range__lte={day}"
        ),
        "started on one day": (
            f"/admin/django_gigq/job/?started_at__range__gte={day}&started_at__range__lte={day}"
        ),
        "sorted by priority": "/admin/django_gigq/job/?o=4",
        "search by name": "/admin/django_gigq/job/?q=job-123456",
        "search by id": f"/admin/django_gigq/job/?q={failed.pk}",
        "job page": f"/admin/django_gigq/job/{failed.pk}/change/",
        "dashboard": "/admin/django_gigq/job/dashboard/",
    }
    results = []
    for label, url in pages.items():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        times, slowest = [], 0.0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                client.get(url)
                times.append(time.perf_counter() - began)
            slowest = max([slowest, *(float(q["time"]) for q in queries)])
        results.append(
            {
                "page": label,
                "median_ms": statistics.median(times) * 1000,
                "max_ms": max(times) * 1000,
                "queries": len(queries),
                "slowest_query_ms": slowest * 1000,
            }
        )
    return results


def _print_table(rows: int, results: list[dict]) -> None:
    print(f"\nadmin on PostgreSQL, {rows:,} jobs (median of the renders; test client)")
    print(f"{'page':34} {'median':>9} {'max':>9} {'queries':>8} {'slowest query':>14}")
    for row in results:
        print(
            f"{row['page']:34} {row['median_ms']:7.0f}ms {row['max_ms']:7.0f}ms "
            f"{row['queries']:8d} {row['slowest_query_ms']:12.0f}ms"
        )


if __name__ == "__main__":
    main()
