"""What the supervisor and its children send each other over their pipes.

Jobs go down and outcomes come back as plain tuples of plain values. Pickling the
dataclasses themselves (and their UUIDs) costs tens of microseconds a message on each
side, more than a short job takes to run; tuples of bytes and strings cost one or two.
An outcome comes back without its job: the supervisor knows which job the child runs.
"""

from __future__ import annotations

import uuid
from dataclasses import fields
from typing import Any

from ..claim import ClaimedJob
from ..execution import Outcome

#: The first message a child sends: Django is set up, it can take a job.
READY = "ready"

_JOB_FIELDS = tuple(field.name for field in fields(ClaimedJob))
_UUID_FIELDS = frozenset({"id", "execution_id"})
_OUTCOME_FIELDS = tuple(field.name for field in fields(Outcome) if field.name != "job")


def encode_job(job: ClaimedJob) -> tuple[Any, ...]:
    """Return ``job`` as a tuple for a child's pipe."""
    return tuple(
        getattr(job, name).bytes if name in _UUID_FIELDS else getattr(job, name)
        for name in _JOB_FIELDS
    )


def decode_job(message: tuple[Any, ...]) -> ClaimedJob:
    """Rebuild the job ``encode_job`` sent."""
    values = dict(zip(_JOB_FIELDS, message, strict=True))
    for name in _UUID_FIELDS:
        values[name] = uuid.UUID(bytes=values[name])
    return ClaimedJob(**values)


def encode_outcome(outcome: Outcome) -> tuple[Any, ...]:
    """Return ``outcome`` as a tuple for the supervisor, without its job."""
    return tuple(getattr(outcome, name) for name in _OUTCOME_FIELDS)


def decode_outcome(job: ClaimedJob, message: tuple[Any, ...]) -> Outcome:
    """Rebuild the outcome of ``job`` that ``encode_outcome`` sent."""
    return Outcome(job=job, **dict(zip(_OUTCOME_FIELDS, message, strict=True)))
