"""Behaviour shared by django-gigq's ModelAdmins."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import HttpRequest


class ReadOnlyMixin:
    """View-only access: no add, change or delete, whatever the user's permissions.

    A job's fields belong to the state machine, and a full-row save from a form would
    overwrite whatever a worker wrote meanwhile; deleting a job could leave its dependents
    waiting forever. Changes go through the API (cancel and requeue actions).
    """

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class IdSearchMixin:
    """A search term that is a UUID finds the object with that id, through the primary key."""

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        try:
            object_id = uuid.UUID(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(pk=object_id), False
