"""Turning the ``gigq`` command's arguments into what the API takes, with clear errors."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from ..exceptions import UnrunnableJob
from ..importing import check_allowed, load_callable


def parse_params(pairs: Sequence[str] | None) -> dict[str, Any]:
    """Return ``-p key=value`` pairs as params; values are JSON when they parse, else text.

    ``NaN`` and ``Infinity`` stay text: they are not JSON, and no database stores them.

    Raises:
        CommandError: a pair has no ``=``, an empty key, or repeats a key.
    """
    params: dict[str, Any] = {}
    for pair in pairs or ():
        key, sep, text = pair.partition("=")
        if not sep:
            raise CommandError(
                f"parameter must be key=value; got {pair!r} (quote a JSON value: -p 'ids=[1, 2]')"
            )
        if not key:
            raise CommandError(f"parameter name must not be empty; got {pair!r}")
        if key in params:
            raise CommandError(f"parameter {key!r} is given twice; give each key once")
        params[key] = _json_or_text(text)
    return params


def check_importable(path: str) -> None:
    """Import the function at ``path`` as a worker would, so a typo fails at submit.

    Raises:
        CommandError: the function is outside the allowed modules, cannot be imported, or
            is not callable.
    """
    with invalid_input():
        check_allowed(path)
    try:
        load_callable(path)
    except UnrunnableJob as exc:
        raise CommandError(f"could not import {path}: {exc.__cause__ or exc}") from exc
    except Exception as exc:
        # The module itself raised while being imported (a syntax error, a missing setting).
        raise CommandError(f"could not import {path}: {type(exc).__name__}: {exc}") from exc


def days_ago(days: int) -> datetime:
    """Return the time ``days`` days before now.

    Raises:
        CommandError: ``days`` is negative or reaches before year 1.
    """
    if days < 0:
        raise CommandError(f"--before must be a number of days, 0 or more; got {days}")
    try:
        return timezone.now() - timedelta(days=days)
    except OverflowError:
        raise CommandError(f"--before is too far in the past; got {days} days") from None


#: The final statuses, each a ``gigq prune`` option of its own (``--completed DAYS``).
FINAL_STATUS_OPTIONS = ("completed", "cancelled", "failed", "timeout")


def non_negative_float(text: str) -> float:
    """An argparse ``type``: a number of days, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of days; got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number of days, 0 or more; got {text}")
    return value


def positive_seconds(text: str) -> float:
    """An argparse ``type``: a number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds; got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0; got {text}")
    return value


def positive_int(text: str) -> int:
    """An argparse ``type``: an int of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more; got {value}")
    return value


def retention_from_options(options: dict[str, Any]) -> dict[str, float] | None:
    """Return ``{status: days}`` from ``--older-than`` and the per-status options, or None."""
    retention: dict[str, float] = {}
    if options.get("older_than") is not None:
        retention = dict.fromkeys(FINAL_STATUS_OPTIONS, options["older_than"])
    for status in FINAL_STATUS_OPTIONS:
        if options.get(status) is not None:
            retention[status] = options[status]
    return retention or None


@contextmanager
def invalid_input() -> Iterator[None]:
    """Report the API's ``ValueError``/``TypeError`` (bad input) as a ``CommandError``."""
    try:
        yield
    except (ValueError, TypeError) as exc:
        raise CommandError(str(exc)) from exc


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return text


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
