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


class ActiveUniqueConstraint(models.UniqueConstraint):
    """``field`` unique among the rows that match ``where``, on every database.

    On PostgreSQL and SQLite it is a partial unique index over ``field``. MySQL and MariaDB
    have no partial indexes (Django would skip a conditional constraint, with warning
    models.W036), so there it is a unique index over ``generated_field``: a generated
    column that holds ``field`` on the rows that match ``where`` and NULL on the others.
    NULLs never collide in a unique index, so only matching rows compete.
    """

    def __init__(self, *, field: str, generated_field: str, where: models.Q, name: str) -> None:
        self.field = field
        self.generated_field = generated_field
        self.where = where
        super().__init__(fields=[field], name=name)

    def deconstruct(self):
        path, _args, kwargs = super().deconstruct()
        kwargs.pop("fields", None)
        kwargs.update(field=self.field, generated_field=self.generated_field, where=self.where)
        return path, (), kwargs

    def __eq__(self, other):
        if isinstance(other, ActiveUniqueConstraint):
            return self.deconstruct() == other.deconstruct()
        return super().__eq__(other)

    def constraint_sql(self, model, schema_editor):
        return self._for(schema_editor).constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        return self._for(schema_editor).create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        return self._for(schema_editor).remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=None):
        """Leave the check to the database: submit handles its error."""

    def _for(self, schema_editor) -> models.UniqueConstraint:
        if schema_editor.connection.features.supports_partial_indexes:
            return models.UniqueConstraint(
                fields=[self.field], condition=self.where, name=self.name
            )
        return models.UniqueConstraint(fields=[self.generated_field], name=self.name)
