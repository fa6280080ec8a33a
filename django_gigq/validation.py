"""Checks on what users submit, so bad input fails at submit with a message that helps."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from .conf import gigq_settings


def encode_json(value: Any, what: str) -> str:
    """Return ``value`` as strict JSON text, or raise ``TypeError`` naming ``what``.

    Strict means no NaN or Infinity: PostgreSQL rejects them, and JSON has no such values.
    """
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} must be JSON-serializable: {exc}") from None
    except RecursionError:
        raise TypeError(f"{what} is nested too deeply to store as JSON") from None


def validate_params(params: Any) -> dict[str, Any]:
    """Return ``params`` (a dict of JSON values) or raise a clear error."""
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of keyword arguments; got {type(params).__name__}")
    non_string = [key for key in params if not isinstance(key, str)]
    if non_string:
        raise TypeError(
            f"params keys must be strings (they become keyword arguments); got {non_string[0]!r}"
        )
    encoded = encode_json(params, "params")
    if _MAYBE_UNSTORABLE.search(encoded):  # rare: look closer
        _check_storable_strings(params)
    limit = gigq_settings.MAX_PARAMS_BYTES
    size = len(encoded.encode("utf-8", errors="surrogatepass"))
    if size > limit:
        raise ValueError(
            f"params are {size} bytes as JSON, over the limit of {limit}; store large data "
            f"elsewhere (a file, a model) and pass its reference, or raise "
            f"GIGQ['MAX_PARAMS_BYTES']"
        )
    return params


#: In strict JSON text, a NUL character or a surrogate (lone, or half of a valid pair:
#: the walk tells them apart) appears as one of these escapes.
_MAYBE_UNSTORABLE = re.compile(r"\\u0000|\\ud[89a-f]", re.IGNORECASE)


def _check_storable_strings(params: dict[str, Any]) -> None:
    """Raise ``ValueError`` if a key or string in ``params`` cannot be stored as text."""
    pending: list[Any] = [params]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            check_storable_text("params", value)
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list | tuple):
            pending.extend(value)


def check_storable_text(name: str, value: str) -> None:
    """Raise ``ValueError`` if ``value`` holds what no supported database stores as text.

    PostgreSQL refuses NUL characters in text and jsonb, and a lone surrogate is not
    Unicode text at all (it has no UTF-8 encoding).
    """
    if "\x00" in value:
        raise ValueError(
            f"{name} must not contain NUL characters (\\x00): databases cannot store them "
            f"in text; encode binary data (base64) first"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{name} contains a lone surrogate ({value[exc.start]!r} at {exc.start}), which "
            f"is not valid Unicode text; decode bytes with errors='replace' first"
        ) from None


#: Integer columns are 32-bit signed on every supported database.
INT_MAX = 2**31 - 1


def validate_int(name: str, value: Any, minimum: int, maximum: int = INT_MAX) -> int:
    """Return ``value`` if it is an int within ``[minimum, maximum]``, else raise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int; got {type(value).__name__} {value!r}")
    if not minimum <= value <= maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}; got {value}")
    return value


def validate_text(name: str, value: Any, max_length: int | None = None) -> str:
    """Return ``value`` if it is a str within ``max_length`` characters, else raise."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str; got {type(value).__name__} {value!r}")
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"{name} must be at most {max_length} characters; got {len(value)}")
    check_storable_text(name, value)
    return value


def parse_job_id(value: Any) -> uuid.UUID:
    """Return ``value`` (a job id as str or UUID) as a UUID, or raise ``ValueError``."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        raise TypeError(f"job id must be a str; got {type(value).__name__} {value!r}")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValueError(f"job id must be a UUID like '0190f5c2-...'; got {value!r}") from None
