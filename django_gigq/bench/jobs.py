"""The job functions the benchmarks run: as little work as possible."""

from __future__ import annotations

from typing import Any


def noop() -> None:
    """Do nothing: what is measured is the queue, not the job."""


def gather(parent_results: dict[str, Any]) -> int:
    """Count the results of the jobs this one waited for (a fan-in)."""
    return len(parent_results)
