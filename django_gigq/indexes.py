"""Indexes over a subset of rows: partial where the database supports it, composite elsewhere."""

from __future__ import annotations

from django.db import models


class PartialIndex(models.Index):
    """An index over the rows that match ``where``, on every database.

    On PostgreSQL and SQLite it is a partial index: the claim index, for example, holds only
    claimable rows, so millions of finished jobs never slow the claim down. MySQL and
    MariaDB have no partial indexes (Django would skip one, with warning models.W037), so
    there the columns of ``where`` lead a composite index (``status, pending_dependencies,
    ...``), which serves the same equality-filtered queries.

    ``where`` is a ``Q`` of equality lookups on plain fields.
    """

    def __init__(self, *, fields: list[str], where: models.Q, name: str) -> None:
        self.where = where
        super().__init__(fields=fields, name=name)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs["where"] = self.where
        return path, args, kwargs

    def create_sql(self, model, schema_editor, using="", **kwargs):
        return self._for(schema_editor).create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        return self._for(schema_editor).remove_sql(model, schema_editor, **kwargs)

    def _for(self, schema_editor) -> models.Index:
        if schema_editor.connection.features.supports_partial_indexes:
            return models.Index(fields=self.fields, condition=self.where, name=self.name)
        where_fields = [name for name, _value in self.where.children]
        return models.Index(fields=[*where_fields, *self.fields], name=self.name)
