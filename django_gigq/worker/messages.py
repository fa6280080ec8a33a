"""What the supervisor and its children send each other over their pipes.

Jobs go down in bundles (one message, one or more jobs: short jobs travel together, so a
child runs several per wake-up) and each outcome comes back on its own message as soon
as its job ends, so an outcome is never lost with a child that dies later in the bundle.
Both are JSON arrays of plain values: a job's params and a run's result are JSON already
(submit and the run check it), ids travel as hex, and nothing on either side is ever
unpickled, so a job's code cannot make its supervisor run code by what it returns. An
outcome comes back without its job: the supervisor knows the order the child runs its
bundle in.

Messages are framed as ``multiprocessing`` frames them (``Connection.send_bytes``: a
4-byte big-endian length, then the bytes), so the children use the standard
``Connection`` API, while the supervisor reads everything waiting in a pipe with one
system call (``MessageReader``) instead of two or three per message.
"""

from __future__ import annotations

import json
import os
import struct
import uuid
from dataclasses import fields
from multiprocessing.connection import Connection
from typing import Any

from ..claim import ClaimedJob
from ..execution import Outcome

#: The first message a child sends: Django is set up, it can take a job.
READY = "ready"

_JOB_FIELDS = tuple(field.name for field in fields(ClaimedJob))
_UUID_FIELDS = frozenset({"id", "execution_id"})
_OUTCOME_FIELDS = tuple(field.name for field in fields(Outcome) if field.name != "job")


def send(pipe: Connection, message: Any) -> None:
    """Send ``message`` (JSON values) over ``pipe``; ``MessageReader`` or ``receive`` reads it."""
    pipe.send_bytes(json.dumps(message, separators=(",", ":")).encode())


def receive(pipe: Connection) -> Any:
    """Wait for the next message on ``pipe`` and return it."""
    return json.loads(pipe.recv_bytes())


class MessageReader:
    """Reads the messages waiting in one pipe, all of them with one ``read``.

    Call ``read`` when the pipe is readable: it returns every whole message received so
    far (keeping a partial one for the next call) and raises ``EOFError`` once the other
    end is closed and nothing is left.
    """

    #: Bytes read at once: hundreds of outcomes.
    CHUNK = 1 << 16

    def __init__(self, pipe: Connection) -> None:
        self.fd = pipe.fileno()
        self.buffer = bytearray()

    def read(self) -> list[Any]:
        """Return the messages that arrived; see the class docstring."""
        data = os.read(self.fd, self.CHUNK)
        if not data:
            raise EOFError("the child process closed its pipe")
        self.buffer += data
        return self._whole_messages()

    def _whole_messages(self) -> list[Any]:
        messages = []
        start, end = 0, len(self.buffer)
        while end - start >= 4:
            (size,) = struct.unpack_from("!i", self.buffer, start)
            header = 4
            if size == -1:  # multiprocessing's header of a message over 2 GiB
                if end - start < 12:
                    break
                (size,) = struct.unpack_from("!Q", self.buffer, start + 4)
                header = 12
            if end - start < header + size:
                break
            body = start + header
            messages.append(json.loads(self.buffer[body : body + size]))
            start = body + size
        del self.buffer[:start]
        return messages


def encode_bundle(jobs: list[ClaimedJob]) -> list[list[Any]]:
    """Return ``jobs`` as one message for a child, which runs them in this order."""
    return [encode_job(job) for job in jobs]


def encode_job(job: ClaimedJob) -> list[Any]:
    """Return ``job`` as a list of JSON values for a child's pipe."""
    return [
        getattr(job, name).hex if name in _UUID_FIELDS else getattr(job, name)
        for name in _JOB_FIELDS
    ]


def decode_job(message: list[Any]) -> ClaimedJob:
    """Rebuild the job ``encode_job`` sent."""
    values = dict(zip(_JOB_FIELDS, message, strict=True))
    for name in _UUID_FIELDS:
        values[name] = uuid.UUID(hex=values[name])
    return ClaimedJob(**values)


def encode_outcome(outcome: Outcome, ended_at: float) -> list[Any]:
    """Return ``outcome`` as a list of JSON values for the supervisor, without its job.

    ``ended_at`` (``time.monotonic()``, one clock for every process of the machine) is
    when the run ended, so when the next job of the bundle started: its timeout counts
    from there.
    """
    return [ended_at, *(getattr(outcome, name) for name in _OUTCOME_FIELDS)]


def decode_outcome(job: ClaimedJob, message: list[Any]) -> tuple[Outcome, float]:
    """Rebuild the outcome of ``job`` that ``encode_outcome`` sent; return it and when
    the run ended."""
    ended_at, *values = message
    return Outcome(job=job, **dict(zip(_OUTCOME_FIELDS, values, strict=True))), ended_at
