"""The benchmark suite: which measurements, in what sizes, and the targets they are held to."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import django
from django.db import connections

from . import measure, raw


@dataclass(frozen=True)
class Sizes:
    """How big each measurement is."""

    submit_one: int = 1_000
    submit_bulk: int = 20_000
    drain: int = 10_000
    workers: Sequence[int] = (1, 2, 4)
    pickup: int = 200
    backlog: int = 100_000
    scale_jobs: int = 2_000
    finished_rows: int = 1_000_000
    fan_out: int = 1_000


QUICK = Sizes(
    submit_one=200,
    submit_bulk=2_000,
    drain=1_000,
    workers=(1, 4),
    pickup=50,
    backlog=10_000,
    scale_jobs=500,
    finished_rows=20_000,
    fan_out=100,
)
FULL = Sizes()


def context(using: str, sizes: Sizes) -> dict[str, Any]:
    """Describe where the figures come from: sizes, versions and hardware."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SELECT version()"
        )
        server = cursor.fetchone()[0]
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "server": server.split(" on ")[0][:60],
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "sizes": "full" if sizes == FULL else "quick",
    }


#: The measurements, in the order they run; ``run(only=...)`` picks some of them.
GROUPS = ("submit", "drain", "pickup", "scale", "fanout")


def run(
    using: str,
    sizes: Sizes,
    log: Callable[[str], None] = print,
    only: Collection[str] = GROUPS,
) -> Iterator[dict[str, Any]]:
    """Run the suite on ``using``; yield one result row per measurement as it finishes.

    ``only`` names the measurement groups to run (see ``GROUPS``); all by default.

    Raises:
        ValueError: ``only`` names an unknown group.
    """
    unknown = set(only) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown measurements {sorted(unknown)}; choose from {', '.join(GROUPS)}")
    postgres = connections[using].vendor == "postgresql"
    if "submit" in only:
        log("submit ...")
        with raw.insert_loop(using) if postgres else nullcontext() as insert:
            figures = measure.submit_one_by_one(sizes.submit_one, using, beside=insert)
        yield {"benchmark": "submit one by one", **figures}
        yield {"benchmark": "submit_many", **measure.submit_in_bulk(sizes.submit_bulk, using)}
    if "drain" in only:
        for workers in sizes.workers:
            log(f"drain, W={workers} ...")
            row = {"benchmark": "drain", **measure.drain(sizes.drain, workers, using)}
            if postgres:
                row["raw"] = raw.drain_rate(using, sizes.drain, workers, batch=1)
                row["raw_100"] = raw.drain_rate(using, sizes.drain, workers, batch=100)
            yield row
    if "pickup" in only:
        log("pick-up latency ...")
        yield {"benchmark": "pick-up", **measure.pickup_latency(using, sizes.pickup)}
    workers = max(sizes.workers)
    if "scale" in only:
        log("backlog and table size ...")
        for backlog, finished in ((0, 0), (sizes.backlog, 0), (sizes.backlog, sizes.finished_rows)):
            yield {
                "benchmark": "scale",
                **measure.drain(
                    sizes.scale_jobs, workers, using, backlog=backlog, finished_rows=finished
                ),
            }
    if "fanout" in only:
        log("workflow fan-out / fan-in ...")
        yield {
            "benchmark": "fan-out/fan-in",
            **measure.fan_out_fan_in(sizes.fan_out, workers, using),
        }
    if postgres:
        raw.drop(using)
    measure.clear_bench_jobs(using)


def check_targets(rows: list[dict[str, Any]], vendor: str) -> list[tuple[str, str, bool]]:
    """Return ``(target, measured, met)`` for each target the rows of ``vendor`` can judge.

    Pick-up latency is held to its target on PostgreSQL only: elsewhere workers poll.
    """
    checks: list[tuple[str, str, bool]] = []

    def ratio(target: str, ours: float, reference: float, at_least: float) -> None:
        checks.append((target, f"{ours / reference:.2f}x", ours / reference >= at_least))

    def below(target: str, value: float, limit: float, unit: str) -> None:
        checks.append((target, f"{value:,.1f} {unit}", value < limit))

    by_kind: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_kind.setdefault(row["benchmark"], []).append(row)
    drains = [row for row in by_kind.get("drain", []) if "raw" in row]
    if drains:
        top = max(drains, key=lambda row: row["W"])
        target = f"drain W={top['W']} >= 1.5x the raw 1-row loop"
        ratio(target, top["jobs_per_s"], top["raw"], 1.5)
    for pickup in by_kind.get("pick-up", []) if vendor == "postgresql" else []:
        below("pick-up p50 < 10 ms", pickup["pickup_p50_ms"], 10, "ms")
        below("finished recorded p50 < 10 ms after it ran", pickup["record_lag_p50_ms"], 10, "ms")
    for bulk in by_kind.get("submit_many", []):
        rate = bulk["jobs_per_s"]
        checks.append(("submit_many > 20,000 jobs/s", f"{rate:,.0f}/s", rate > 20_000))
    for single in by_kind.get("submit one by one", []):
        if "raw" in single:
            ratio("single submit >= 0.7x a raw INSERT", single["jobs_per_s"], single["raw"], 0.7)
    scales = by_kind.get("scale", [])
    empty = [row for row in scales if not row["backlog"] and not row["finished_rows"]]
    full = [row for row in scales if row["finished_rows"]]
    if empty and full:
        target = "drain with a backlog and finished rows >= 0.8x on an empty table"
        ratio(target, full[0]["jobs_per_s"], empty[0]["jobs_per_s"], 0.8)
    for gigq in by_kind.get("gigq", []):
        checks.append(
            ("SQLite drain >= 2x GigQ 0.5.1", f"{gigq['ratio']:.2f}x", gigq["ratio"] >= 2)
        )
    return checks
