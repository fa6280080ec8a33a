"""The statement that stores new jobs: one INSERT for any number of them.

``bulk_create`` builds a model instance per job and prepares it field by field, then
builds statement text that grows with the batch; submitting one job cost more in Python
than in the database. Here the statement's text is built once per database. On
PostgreSQL the statement also wakes the workers, and a single job whose id or key is
taken is skipped rather than refused (so surviving that needs no savepoint): one round
trip stores a job. Several jobs go as one array per column, in binary. Elsewhere, rows
of placeholders.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

from django.db import IntegrityError, connections

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
#: Ends the INSERT on PostgreSQL: tell the workers of the queue of each inserted job that
#: waits on nothing. ``pg_notify`` runs for each inserted row; PostgreSQL sends each
#: distinct notification once, at commit.
_NOTIFY = " RETURNING CASE WHEN pending_dependencies = 0 THEN pg_notify(%s, queue) END"


class Skipped(IntegrityError):
    """PostgreSQL skipped the job: its id or its unique key is taken. Nothing was stored,
    and the transaction goes on."""


def insert_jobs(rows: Sequence[NewJob], *, using: str) -> None:
    """Insert ``rows``; on PostgreSQL, wake the workers of their queues at commit.

    Workers listening for new jobs are told of the queues of the inserted jobs that wait
    on nothing.

    Raises:
        IntegrityError: a job's id or unique key is taken; the caller rolls back. A single
            job on PostgreSQL raises ``Skipped`` instead: the statement skipped it rather
            than failed, so the transaction is intact.
    """
    connection = connections[using]
    if not rows:
        return
    if connection.vendor != "postgresql":
        _insert_with_placeholders(rows, connection)
    elif len(rows) == 1:
        # A row of values: psycopg renders scalars several times faster than arrays.
        _insert_one(rows[0], connection)
    else:
        _insert_with_arrays(rows, connection)


def _insert_one(row: NewJob, connection) -> None:
    statement = _statement(connection)
    with connection.cursor() as cursor:
        cursor.execute(statement.one_row, [*_postgresql_values(row), *statement.constants, CHANNEL])
        if cursor.fetchone() is None:
            raise Skipped(f"job {row.id} was not stored: its id or unique key is taken")


def _postgresql_values(row: NewJob) -> list[Any]:
    """``row``'s values in ``_GIVEN`` order, as PostgreSQL takes them: JSON as text."""
    values = list(row[:-1])
    values[_PARAMS] = row.params_json
    values[_TRACE_CONTEXT] = _json_or_none(row.trace_context)
    return values


def _insert_with_arrays(rows: Sequence[NewJob], connection) -> None:
    statement = _statement(connection)
    arrays = [list(column) for column in zip(*rows, strict=True)]
    arrays[_PARAMS] = arrays.pop()  # params_json
    # One context for the whole submission: encoded once.
    contexts = {id(context): context for context in arrays[_TRACE_CONTEXT]}
    encoded = {key: _json_or_none(context) for key, context in contexts.items()}
    arrays[_TRACE_CONTEXT] = [encoded[id(context)] for context in arrays[_TRACE_CONTEXT]]
    with _binding_cursor(connection) as cursor:
        cursor.execute(statement.from_arrays, [*statement.constants, *arrays, CHANNEL])


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
    #: PostgreSQL, one row: the row's values, the constants and the NOTIFY channel. It
    #: skips a row whose id or key is taken, and returns a row for each row inserted.
    one_row: str
    #: PostgreSQL, several rows: the constants, an array per given column and the NOTIFY
    #: channel, for a cursor binding on the server.
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
    head = f"INSERT INTO {quote(JobRow._meta.db_table)} ({columns}) "
    tail = ["%s"] * len(constants) + [now] * len(_NOW)
    row = [f"COALESCE(%s, {now})" if field.name == "run_after" else "%s" for field in given]
    row_sql = f"({', '.join(row + tail)})"
    one_row = from_arrays = ""
    if connection.vendor == "postgresql":
        one_row = f"{head}VALUES {row_sql} ON CONFLICT DO NOTHING{_NOTIFY}"
        # %b: binary parameters (see _binding_cursor).
        arrays = ", ".join(f"%b::{_array_type(field, connection)}[]" for field in given)
        selected = [
            f"COALESCE(given.{column}, {now})" if field.name == "run_after" else f"given.{column}"
            for field, column in zip(given, given_columns, strict=True)
        ]
        from_arrays = (
            f"{head}SELECT {', '.join(selected + tail)} "
            f"FROM unnest({arrays}) AS given({', '.join(given_columns)}){_NOTIFY}"
        )
    return _Statement(
        head=f"{head}VALUES ",
        row=row_sql,
        constants=constants,
        one_row=one_row,
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
