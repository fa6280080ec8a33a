"""Exceptions raised by django-gigq."""

from __future__ import annotations


class UnrunnableJob(Exception):
    """A stored job can never succeed as it is: fail it at once, without retrying.

    Raised for a function that cannot be imported or is not allowed, params that do not
    match its signature, and a result that cannot be stored as JSON.
    """


class GigQCompatibilityWarning(UserWarning):
    """A GigQ argument that django-gigq accepts but does not need (such as a database path)."""


class DuplicateJob(ValueError):
    """A pending or running job already holds this unique key; nothing was stored.

    Attributes:
        existing_id: The id (str) of the job that holds the key.
        unique_key: The key.
    """

    def __init__(self, existing_id: str, unique_key: str) -> None:
        self.existing_id = existing_id
        self.unique_key = unique_key
        super().__init__(
            f"job {existing_id} already holds unique_key {unique_key!r} (it is pending or "
            f"running); use its id, or submit with on_duplicate='return' to get it back"
        )
