"""Exceptions raised by django-gigq."""

from __future__ import annotations


class UnrunnableJob(Exception):
    """A stored job can never succeed as it is: fail it at once, without retrying.

    Raised for a function that cannot be imported or is not allowed, params that do not
    match its signature, and a result that cannot be stored as JSON.
    """


class GigQCompatibilityWarning(UserWarning):
    """A GigQ argument that django-gigq accepts but does not need (such as a database path)."""


class WorkerLost(Exception):
    """An attempt ended because its worker died or vanished before reporting how it went.

    Never raised: it names that cause where an exception class is expected, such as the
    ``exception_class_path`` of a ``django.tasks`` ``TaskError``.
    """
