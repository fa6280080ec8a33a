"""Expressions for statements that touch a whole batch of rows at once.

The worker claims and records jobs by the batch. Spelled the ORM's usual way, a batch
statement grows with the batch: ``Case(When(pk=..., then=...))`` per row and a placeholder
per id in ``IN (...)``, each built and resolved in Python, which costs more than running
the statement. These expressions give each row its value, or test membership, with text
built in one go; on PostgreSQL they pass arrays, so the statement's text is the same for
every batch size and the driver parses it once.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Expression, F, Field, Model


class _KeyedExpression(Expression):
    """An expression over a key column of the rows, resolved against the query it is in."""

    def __init__(self, key: str, output_field: Field) -> None:
        super().__init__(output_field=output_field)
        self.key: Expression = F(key)

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        resolved = self.copy()
        resolved.key = self.key.resolve_expression(query, allow_joins, reuse, summarize)
        return resolved

    def get_source_expressions(self) -> list[Expression]:
        return [self.key]

    def set_source_expressions(self, expressions: list[Expression]) -> None:
        (self.key,) = expressions

    def _key_field(self) -> Field:
        return self.key.output_field

    def _keys(self, keys: Iterable[Any], connection) -> list[Any]:
        field = self._key_field()
        return [field.get_db_prep_value(key, connection) for key in keys]


class ValuePerRow(_KeyedExpression):
    """The value of a column for each row, given as ``{primary key: value}``.

    For use in ``update()``: ``update(result=ValuePerRow({id: result, ...}, JSONField()))``.
    A row missing from the mapping gets NULL; None stays SQL NULL (not JSON null). Pass
    the model's own field as ``output_field``: building a new one costs more than the rest.
    """

    def __init__(self, values: Mapping[Any, Any], output_field: Field) -> None:
        super().__init__("pk", output_field)
        self.values = dict(values)

    def _prepared_values(self, connection) -> list[Any]:
        field = self.output_field
        return [
            None if value is None else field.get_db_prep_save(value, connection)
            for value in self.values.values()
        ]

    def as_sql(self, compiler, connection):
        key_sql, key_params = compiler.compile(self.key)
        keys = self._keys(self.values, connection)
        values = self._prepared_values(connection)
        whens = " ".join(["WHEN %s THEN %s"] * len(keys))
        params = [*key_params]
        for key, value in zip(keys, values, strict=True):
            params += [key, value]
        return f"CASE {key_sql} {whens} END", params

    def as_postgresql(self, compiler, connection):
        key_sql, key_params = compiler.compile(self.key)
        value_type = self.output_field.cast_db_type(connection)
        key_type = self._key_field().cast_db_type(connection)
        sql = f"(%s::{value_type}[])[array_position(%s::{key_type}[], {key_sql})]"
        keys = self._keys(self.values, connection)
        return sql, [array_param(self._prepared_values(connection)), array_param(keys), *key_params]


class AnyOf(_KeyedExpression):
    """A filter: the row's ``field`` is one of ``keys``.

    ``filter(AnyOf("pk", ids))`` is ``filter(pk__in=ids)`` with one parameter on PostgreSQL
    (``= ANY(array)``) instead of one per id.
    """

    conditional = True
    # One instance for all: building a Field costs more than compiling this expression.
    _boolean = BooleanField()

    def __init__(self, field: str, keys: Iterable[Any]) -> None:
        super().__init__(field, self._boolean)
        self.keys = list(keys)

    def as_sql(self, compiler, connection):
        if not self.keys:
            return "1 = 0", []
        key_sql, key_params = compiler.compile(self.key)
        placeholders = ", ".join(["%s"] * len(self.keys))
        return f"{key_sql} IN ({placeholders})", [*key_params, *self._keys(self.keys, connection)]

    def as_postgresql(self, compiler, connection):
        key_sql, key_params = compiler.compile(self.key)
        key_type = self._key_field().cast_db_type(connection)
        return f"{key_sql} = ANY(%s::{key_type}[])", [
            *key_params,
            array_param(self._keys(self.keys, connection)),
        ]


def array_param(values: list[Any]) -> list[Any] | str:
    """Return ``values`` as a PostgreSQL array parameter: as text when that is cheaper.

    The driver adapts a list item by item in Python, a few microseconds each; a batch's
    lists of ids cost more that way than the statement takes to run. A list of UUIDs,
    numbers, strings, datetimes and NULLs goes as one string in PostgreSQL's array syntax
    instead (the statement casts it: ``%s::uuid[]``); anything else goes as the list.
    """
    parts = []
    for value in values:
        if value is None:
            parts.append("NULL")
        elif isinstance(value, uuid.UUID):
            parts.append(value.hex)
        elif type(value) in (int, float):  # not bool: Python's True is not SQL's
            parts.append(repr(value))
        elif isinstance(value, str):
            parts.append(_quoted_element(value))
        elif isinstance(value, datetime.datetime):
            parts.append(_quoted_element(value.isoformat()))
        else:
            return values
    return "{" + ",".join(parts) + "}"


def _quoted_element(text: str) -> str:
    # Inside an array literal, double quotes keep commas, braces, spaces and the word NULL
    # as text; only backslashes and double quotes need escaping.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def insert_rows(
    model: type[Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    same: Mapping[str, Any] | None = None,
    using: str,
) -> None:
    """Insert ``rows`` (``{field name: value}``, the same fields in each) in one statement.

    ``same`` gives the fields whose value is the same in every row: prepared once and
    sent once. For the worker's hot path, where ``bulk_create`` spends more time preparing
    model instances than the database spends inserting them. Values are prepared by their
    fields as ``bulk_create`` would; defaults are not applied, so give every NOT NULL field.
    """
    if not rows:
        return
    connection = connections[using]
    meta = model._meta
    fields = [meta.get_field(name) for name in rows[0]]
    shared = {meta.get_field(name): value for name, value in (same or {}).items()}
    shared_values = [field.get_db_prep_save(value, connection) for field, value in shared.items()]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in [*fields, *shared])
    values = [
        [field.get_db_prep_save(row[field.name], connection) for field in fields] for row in rows
    ]
    table = connection.ops.quote_name(meta.db_table)
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{field.cast_db_type(connection)}[]" for field in fields)
        constants = "".join(f", %s::{field.cast_db_type(connection)}" for field in shared)
        sql = f"INSERT INTO {table} ({columns}) SELECT *{constants} FROM unnest({arrays})"
        params = [*shared_values]
        params += [array_param(list(column)) for column in zip(*values, strict=True)]
    else:
        row_sql = "(" + ", ".join(["%s"] * (len(fields) + len(shared))) + ")"
        sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(values))}"
        params = [value for row in values for value in [*row, *shared_values]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
