"""Run the benchmarks: ``python -m benchmarks.run`` (see ``--help``).

Prints django-gigq's figures beside the raw psycopg loop measured in the same run (the
machine is noisy: only ratios from one run mean anything), as a table and as JSON lines.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import UTC, datetime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=10_000, help="jobs per drain (10000)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4], help="W values")
    parser.add_argument("--db", choices=["postgres", "sqlite", "mariadb"], default="postgres")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--json", metavar="FILE", help="append JSON lines to FILE")
    args = parser.parse_args()
    os.environ["GIGQ_BENCH_DB"] = args.db

    from .setup import configure

    configure()
    import django

    from . import measure, raw_loop

    results = []
    context = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "db": args.db,
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
    }
    for workers in args.workers:
        ours = measure.drain(args.jobs, workers)
        row = {"benchmark": "drain", "W": workers, **ours}
        if args.db == "postgres":
            row["raw_1_per_claim"] = raw_loop.measure(args.jobs, workers, batch=1)
            row["raw_100_per_claim"] = raw_loop.measure(args.jobs, workers, batch=100)
            row["ratio_to_raw_1"] = ours["jobs_per_s"] / row["raw_1_per_claim"]
        results.append(row)
    if not args.skip_latency:
        results.append({"benchmark": "pickup", **measure.pickup_latency()})

    _print_table(context, results)
    if args.json:
        with open(args.json, "a") as output:
            for row in results:
                output.write(json.dumps({**context, **row}) + "\n")


def _print_table(context: dict, results: list[dict]) -> None:
    print(", ".join(f"{key}={value}" for key, value in context.items()))
    for row in results:
        if row["benchmark"] == "drain":
            line = (
                f"drain W={row['W']}: {row['jobs_per_s']:,.0f} jobs/s "
                f"({row['jobs_per_s_with_startup']:,.0f} with start-up), "
                f"{row['duplicates']} duplicates"
            )
            if "raw_1_per_claim" in row:
                line += (
                    f" | raw loop 1/claim {row['raw_1_per_claim']:,.0f}, 100/claim "
                    f"{row['raw_100_per_claim']:,.0f} | ours / raw 1 = {row['ratio_to_raw_1']:.2f}"
                )
        else:
            line = (
                f"pick-up ({row['jobs']} jobs, 20 ms apart): p50 {row['pickup_p50_ms']:.1f} ms, "
                f"p95 {row['pickup_p95_ms']:.1f} ms, p99 {row['pickup_p99_ms']:.1f} ms; "
                f"completion recorded {row['record_lag_p50_ms']:.1f} ms (p50) after it ran"
            )
        print(line)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
