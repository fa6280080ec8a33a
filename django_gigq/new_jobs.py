"""The statement that stores new jobs: one INSERT for any number of them.

``bulk_create`` builds a model instance per job and prepares it field by field, then
builds statement text that grows with the batch; submitting one job cost more in Python
than in the database. Here the statement's text is built once per database. On
PostgreSQL conflicts are skipped rather than raised (so no savepoint is needed to survive
them) and the same statement wakes the workers: a single round trip stores a job. One
job goes as a row of values, several as one array per column, in binary. Elsewhere,
rows of placeholders, and a taken id or key raises ``IntegrityError`` as the database
reports it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connections

from .db import DatabaseNow
from .models import Job as JobRow
from .wakeup import CHANNEL


class NewJob(NamedTuple):
    """A job's values as submit stores them; the other columns get their defaults.

    All but the last are ``Job`` fields, by name.
    """

    id: str
    name: str
    function: str
    params: dict[str, Any]
    queue: str
    priority: int
    description: str
    unique_key: str | None
    max_attempts: int
    timeout: int
    retry_delay: int
    retry_backoff: str
    retry_max_delay: int | None
    pass_parent_results: bool | None
    pending_dependencies: int
    workflow: uuid.UUID | None
    #: None: the database's current time.
    run_after: datetime | None
    trace_context: dict[str, str] | None
    #: ``params`` as the JSON text submit validated. PostgreSQL stores this text, so
    #: params are encoded once (jsonb reads it as it would the driver's encoding).
    params_json: str


#: The ``Job`` fields a ``NewJob`` gives, in its order.
_GIVEN = NewJob._fields[:-1]
_PARAMS = _GIVEN.index("params")
_TRACE_CONTEXT = _GIVEN.index("trace_context")
#: Set to the database's time of the statement.
_NOW = ("created_at", "updated_at")
#: Rows per statement where values are placeholders: within every database's limits.
BATCH_SIZE = 500
#: Added to the INSERT on PostgreSQL: skip a row whose id or key is taken; tell the
#: workers of the queue of an inserted job that waits on nothing. ``pg_notify`` runs for
#: each inserted row; PostgreSQL sends each distinct notification once, at commit.
_ON_CONFLICT_NOTIFY = (
    " ON CONFLICT DO NOTHING "
    "RETURNING id, CASE WHEN pending_dependencies = 0 THEN pg_notify(%s, queue) END"
)


def insert_jobs(rows: Sequence[NewJob], *, using: str) -> set[str]:
    """Insert ``rows``; on PostgreSQL, return the ids of those it skipped.

    On PostgreSQL a row whose id or unique key is taken is skipped (the others are
    inserted; the caller rolls back if it must), and workers listening for new jobs are
    told of the queues of the inserted jobs that wait on nothing, at commit. Elsewhere
    such a row raises ``IntegrityError``, and the set returned is empty.
    """
    connection = connections[using]
    if not rows:
        return set()
    if connection.vendor != "postgresql":
        _insert_with_placeholders(rows, connection)
        return set()
    if len(rows) == 1:
        # A row of values: psycopg renders scalars several times faster than arrays.
        return _insert_one(rows[0], connection)
    return _insert_with_arrays(rows, connection)


def _insert_one(row: NewJob, connection) -> set[str]:
    statement = _statement(connection)
    sql = statement.head + statement.row + _ON_CONFLICT_NOTIFY
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_postgresql_values(row), *statement.constants, CHANNEL])
        return set() if cursor.fetchone() else {row.id}


def _postgresql_values(row: NewJob) -> list[Any]:
    """``row``'s values in ``_GIVEN`` order, as PostgreSQL takes them: JSON as text."""
    values = list(row[:-1])
    values[_PARAMS] = row.params_json
    values[_TRACE_CONTEXT] = _json_or_none(row.trace_context)
    return values


def _insert_with_arrays(rows: Sequence[NewJob], connection) -> set[str]:
    statement = _statement(connection)
    arrays = [list(column) for column in zip(*rows, strict=True)]
    arrays[_PARAMS] = arrays.pop()  # params_json
    # One context for the whole submission: encoded once.
    contexts = {id(context): context for context in arrays[_TRACE_CONTEXT]}
    encoded = {key: _json_or_none(context) for key, context in contexts.items()}
    arrays[_TRACE_CONTEXT] = [encoded[id(context)] for context in arrays[_TRACE_CONTEXT]]
    with _binding_cursor(connection) as cursor:
        cursor.execute(statement.from_arrays, [*arrays, *statement.constants, CHANNEL])
        return {str(job_id) for (job_id,) in cursor.fetchall()}


@contextmanager
def _binding_cursor(connection) -> Iterator[Any]:
    """A cursor of ``connection`` that sends parameters apart from the statement.

    Django's cursors bind on the client: psycopg writes every array element into the
    statement's text, in Python, which cost a third of a large submission. Sent apart,
    in binary, arrays cost a fraction of that. The statement is prepared only if the
    project enabled prepared statements (``OPTIONS["prepare_threshold"]``), so connection
    poolers see nothing new. The cursor is wrapped as Django wraps its own: errors are
    Django's, queries are logged.
    """
    import psycopg

    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        bound = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        cursor = connection.make_debug_cursor(bound)
    else:
        cursor = connection.make_cursor(bound)
    with cursor:
        yield cursor


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _insert_with_placeholders(rows: Sequence[NewJob], connection) -> None:
    statement = _statement(connection)
    fields = [JobRow._meta.get_field(name) for name in _GIVEN]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            params: list[Any] = []
            for row in batch:
                values = row._asdict()
                params += [
                    field.get_db_prep_save(values[field.name], connection) for field in fields
                ]
                params += statement.constants
            cursor.execute(statement.head + ", ".join([statement.row] * len(batch)), params)


class _Statement(NamedTuple):
    """The text of the INSERT on one database, built at first use."""

    #: ``INSERT INTO ... (columns) VALUES``.
    head: str
    #: One row of values: a placeholder per given column, then per constant.
    row: str
    #: The value of each constant column, the same for every new job.
    constants: list[Any]
    #: PostgreSQL: the statement taking an array per given column, then the constants and
    #: the NOTIFY channel, for a cursor binding on the server. It returns the ids of the
    #: rows it skipped.
    from_arrays: str


_statements: dict[str, _Statement] = {}


def _statement(connection) -> _Statement:
    if connection.alias not in _statements:
        _statements[connection.alias] = _build_statement(connection)
    return _statements[connection.alias]


def _build_statement(connection) -> _Statement:
    quote = connection.ops.quote_name
    now = _now_sql(connection)
    given = [JobRow._meta.get_field(name) for name in _GIVEN]
    given_columns = [quote(field.column) for field in given]
    constant_columns, constants = _constants(connection)
    columns = ", ".join([*given_columns, *constant_columns, *(quote(name) for name in _NOW)])
    table = quote(JobRow._meta.db_table)
    tail = ["%s"] * len(constants) + [now] * len(_NOW)

    row = [f"COALESCE(%s, {now})" if field.name == "run_after" else "%s" for field in given]
    from_arrays = ""
    if connection.vendor == "postgresql":
        # %b: binary parameters (see _binding_cursor).
        arrays = ", ".join(f"%b::{_array_type(field, connection)}[]" for field in given)
        selected = [
            f"COALESCE(given.{column}, {now})" if field.name == "run_after" else f"given.{column}"
            for field, column in zip(given, given_columns, strict=True)
        ]
        from_arrays = (
            f"WITH given AS (SELECT * FROM unnest({arrays}) AS given({', '.join(given_columns)})), "
            f"new AS (INSERT INTO {table} ({columns}) "
            f"SELECT {', '.join(selected + tail)} FROM given{_ON_CONFLICT_NOTIFY}) "
            f"SELECT id FROM given WHERE NOT EXISTS (SELECT FROM new WHERE new.id = given.id)"
        )
    return _Statement(
        head=f"INSERT INTO {table} ({columns}) VALUES ",
        row=f"({', '.join(row + tail)})",
        constants=constants,
        from_arrays=from_arrays,
    )


def _constants(connection) -> tuple[list[str], list[Any]]:
    """The quoted columns that every new job starts with the same value in, and the values.

    Every stored field submit does not give, except those that stay NULL: ``status``,
    ``attempts``, ``error`` and the like, from the model's defaults, so a field added
    to the model with a default is filled in here too.
    """
    given = {*_GIVEN, *_NOW}
    columns: list[str] = []
    values: list[Any] = []
    for field in JobRow._meta.concrete_fields:
        if field.name in given or field.generated:
            continue
        default = field.get_default() if field.has_default() else None
        if default is None:
            if not field.null:
                raise RuntimeError(f"Job.{field.name} has no default: submit must give it")
            continue
        columns.append(connection.ops.quote_name(field.column))
        values.append(field.get_db_prep_save(default, connection))
    return columns, values


def _now_sql(connection) -> str:
    """The SQL of ``DatabaseNow()`` on ``connection``, ready for a statement with params."""
    compiler = JobRow.objects.none().query.get_compiler(connection=connection)
    sql, params = compiler.compile(DatabaseNow())
    if params:
        raise RuntimeError(f"DatabaseNow() compiled with parameters on {connection.vendor}")
    return sql


def _array_type(field, connection) -> str:
    # text, not varchar(n): a cast to varchar(n) would cut longer values short silently
    # (submit has checked the lengths; the column still does).
    if field.get_internal_type() in ("CharField", "TextField"):
        return "text"
    return field.cast_db_type(connection)
