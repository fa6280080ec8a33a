"""Checks on what users submit, so bad input fails at submit with a message that helps."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from .conf import gigq_settings

#: ``json.dumps(allow_nan=False, ensure_ascii=False)``, without building an encoder per call.
_STRICT_JSON = json.JSONEncoder(allow_nan=False, ensure_ascii=False)
#: An escaped NUL character in JSON text that is not itself an escaped backslash.
_ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def encode_json(value: Any, what: str) -> str:
    """Return ``value`` as strict JSON text, or raise ``TypeError`` naming ``what``.

    Strict means what every supported database stores: no NaN or Infinity (JSON has no such
    values), no NUL character and no unpaired surrogate in strings (PostgreSQL rejects both).
    """
    try:
        encoded = _STRICT_JSON.encode(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} must be JSON-serializable: {exc}") from None
    except RecursionError:
        raise TypeError(f"{what} is nested too deeply to store as JSON") from None
    if _ESCAPED_NUL.search(encoded):
        raise TypeError(f"{what} must not contain NUL characters (\\x00) in strings")
    try:
        encoded.encode("utf-8")
    except UnicodeEncodeError:
        raise TypeError(
            f"{what} must be valid Unicode: a string holds an unpaired surrogate; "
            f"decode bytes with errors='replace' first"
        ) from None
    return encoded


def storable_text(text: str) -> str:
    """Return ``text`` as every supported database can store it.

    For text we do not control (exception messages, tracebacks): NUL characters and
    unpaired surrogates, which PostgreSQL refuses, become U+FFFD.
    """
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def validate_params(params: Any) -> dict[str, Any]:
    """Return ``params`` (a dict of JSON values) or raise a clear error."""
    encode_params(params)
    return {} if params is None else params


def encode_params(params: Any) -> str:
    """Return ``params`` (a dict of JSON values, or None for none) as JSON text, or raise."""
    if params is None:
        return "{}"
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of keyword arguments; got {type(params).__name__}")
    non_string = [key for key in params if not isinstance(key, str)]
    if non_string:
        raise TypeError(
            f"params keys must be strings (they become keyword arguments); got {non_string[0]!r}"
        )
    encoded = encode_json(params, "params")
    limit = gigq_settings.MAX_PARAMS_BYTES
    size = len(encoded.encode("utf-8"))
    if size > limit:
        raise ValueError(
            f"params are {size} bytes as JSON, over the limit of {limit}; store large data "
            f"elsewhere (a file, a model) and pass its reference, or raise "
            f"GIGQ['MAX_PARAMS_BYTES']"
        )
    return encoded


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


def validate_number(name: str, value: Any, *, above: float) -> float:
    """Return ``value`` as a float if it is a number greater than ``above``, else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number; got {type(value).__name__} {value!r}")
    if not value > above:  # NaN too
        raise ValueError(f"{name} must be more than {above:g}; got {value}")
    return float(value)


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
