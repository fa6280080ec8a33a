"""Indexes over a subset of rows: partial where the database supports it, composite elsewhere."""

from __future__ import annotations

from django.db import models


class PartialIndex(models.Index):
    """An index over the rows that match ``condition``, on every database.

    On PostgreSQL and SQLite it is a partial index: the claim index, for example, holds only
    claimable rows, so millions of finished jobs never slow the claim down. MySQL and
    MariaDB have no partial indexes and Django would silently skip one, so there the
    condition's columns lead a composite index (``status, pending_dependencies, ...``),
    which serves the same equality-filtered queries.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if self.condition is None or schema_editor.connection.features.supports_partial_indexes:
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        return self._composite().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if self.condition is None or schema_editor.connection.features.supports_partial_indexes:
            return super().remove_sql(model, schema_editor, **kwargs)
        return self._composite().remove_sql(model, schema_editor, **kwargs)

    def _composite(self) -> models.Index:
        condition_fields = [name for name, _value in self.condition.children]
        return models.Index(fields=[*condition_fields, *self.fields], name=self.name)
