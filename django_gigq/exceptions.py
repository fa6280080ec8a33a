"""Exceptions raised by django-gigq."""

from __future__ import annotations


class UnrunnableJob(Exception):
    """A stored job can never succeed as it is: fail it at once, without retrying.

    Raised for a function that cannot be imported or is not allowed, params that do not
    match its signature, and a result that cannot be stored as JSON.
    """


class GigQCompatibilityWarning(UserWarning):
    """A GigQ argument that django-gigq accepts but does not need (such as a database path)."""
