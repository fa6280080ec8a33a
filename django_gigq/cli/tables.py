"""Aligned plain-text tables and times, for the ``gigq`` command's human output."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

#: How times are shown to people, as in GigQ's CLI.
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def format_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, right: Collection[int] = ()
) -> str:
    """Return ``rows`` as columns aligned under ``headers``, with a rule below the headers.

    Columns whose index is in ``right`` are right-aligned (use it for numbers). ``None``
    shows as ``-``; each cell is put on one line, so a multi-line error cannot break the
    table.
    """
    lines = [[str(header) for header in headers]]
    lines += [[_cell(value) for value in row] for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(*lines, strict=True)]
    rule = ["-" * width for width in widths]
    return "\n".join(_join(cells, widths, right) for cells in [lines[0], rule, *lines[1:]])


def format_time(value: datetime | str | None) -> str:
    """Return ``value`` (a datetime or ISO 8601 string) as local ``YYYY-MM-DD HH:MM:SS``.

    Missing times show as ``-``; a string that is not a datetime is returned unchanged.
    """
    if not value:
        return "-"
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(TIME_FORMAT)


def one_line(value: object) -> str:
    """Return ``value`` as text on one line, without control characters.

    Job names and errors come from the database; a stray newline or escape sequence must
    not garble the terminal.
    """
    text = " ".join(str(value).split())
    return "".join(char if char.isprintable() else "?" for char in text)


def _cell(value: object) -> str:
    return "-" if value is None else one_line(value)


def _join(cells: Sequence[str], widths: Sequence[int], right: Collection[int]) -> str:
    padded = [
        cell.rjust(width) if index in right else cell.ljust(width)
        for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
    ]
    return "  ".join(padded).rstrip()
