"""Checks on what users submit, so bad input fails at submit with a message that helps."""

from __future__ import annotations

import json
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
    limit = gigq_settings.MAX_PARAMS_BYTES
    size = len(encoded.encode("utf-8", errors="surrogatepass"))
    if size > limit:
        raise ValueError(
            f"params are {size} bytes as JSON, over the limit of {limit}; store large data "
            f"elsewhere (a file, a model) and pass its reference, or raise "
            f"GIGQ['MAX_PARAMS_BYTES']"
        )
    return params


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
    if "\x00" in value:
        raise ValueError(f"{name} must not contain NUL characters")
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
