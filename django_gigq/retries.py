"""How long a failed job waits before its next attempt."""

from __future__ import annotations

import random

from django.db import models


class RetryBackoff(models.TextChoices):
    """How the wait grows from one attempt to the next."""

    # The same ``retry_delay`` before every retry (GigQ's behaviour).
    FIXED = "fixed", "Fixed"
    # ``retry_delay`` doubled after each failed attempt, with ±10% jitter.
    EXPONENTIAL = "exponential", "Exponential"
    # A random wait up to the exponential one ("full jitter"): spreads out retries of
    # many jobs that failed together, e.g. when a service they call went down.
    RANDOM = "random", "Random"


#: The base of the exponential policies when ``retry_delay`` is 0.
DEFAULT_BACKOFF_BASE = 1
#: The cap of the exponential policies when ``retry_max_delay`` is not set: one hour.
DEFAULT_MAX_DELAY = 3600
JITTER = 0.1


def retry_delay_seconds(
    backoff: str, retry_delay: int, retry_max_delay: int | None, attempt: int
) -> float:
    """Return the seconds to wait after failed attempt number ``attempt`` (1-based)."""
    if backoff == RetryBackoff.FIXED:
        delay = float(retry_delay)
        return delay if retry_max_delay is None else min(delay, retry_max_delay)
    cap = DEFAULT_MAX_DELAY if retry_max_delay is None else retry_max_delay
    base = retry_delay or DEFAULT_BACKOFF_BASE
    exponential = min(cap, base * 2.0 ** min(attempt - 1, 62))
    if backoff == RetryBackoff.EXPONENTIAL:
        return min(cap, exponential * random.uniform(1 - JITTER, 1 + JITTER))
    return random.uniform(0, exponential)
