"""The claim index: partial where the database supports it, composite elsewhere."""

from __future__ import annotations

from django.db import models


class ClaimIndex(models.Index):
    """An index over exactly the rows a worker may claim.

    On PostgreSQL and SQLite it is a partial index (``WHERE status='pending' AND
    pending_dependencies=0``): it holds only claimable rows, so finished jobs never slow the
    claim down. MySQL and MariaDB have no partial indexes and Django would silently skip
    one, so there the same columns are indexed behind the condition's columns
    (``status, pending_dependencies, ...``), which serves the same query.
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
