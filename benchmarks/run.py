"""Run the benchmarks: ``python -m benchmarks.run`` (see ``--help``).

The same suite as ``manage.py gigq_bench`` (``django_gigq.bench``), on a database of its
own (``gigq_bench``), plus GigQ 0.5.1 on SQLite for comparison when it is installed
(``pip install gigq==0.5.1`` into the benchmark's environment; never a dependency of
django-gigq). Prints a table with the raw psycopg loops of the same run and the targets,
appends JSON lines, and draws an SVG plot.
"""

from __future__ import annotations

import argparse
import os
import sys

#: The measurement groups of ``django_gigq.bench.runner.GROUPS`` (importing it needs Django).
GROUPS = ("submit", "drain", "pickup", "scale", "fanout")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["postgres", "sqlite", "mariadb"], default="postgres")
    parser.add_argument("--full", action="store_true", help="full sizes (default: quick)")
    parser.add_argument("--json", metavar="FILE", default="benchmarks/results.jsonl")
    parser.add_argument("--plot", metavar="FILE.svg", default="benchmarks/results.svg")
    parser.add_argument(
        "--only",
        action="append",
        choices=GROUPS,
        help="run only this measurement (repeat the option for several; default: all)",
    )
    parser.add_argument(
        "--dbname",
        default="gigq_bench",
        help="the benchmark database's name (PostgreSQL, MariaDB) or file stem (SQLite)",
    )
    args = parser.parse_args()
    os.environ["GIGQ_BENCH_DB"] = args.db
    os.environ["GIGQ_BENCH_NAME"] = args.dbname

    from .setup import configure

    configure()
    from django_gigq.bench import report, runner

    from . import gigq_compare

    sizes = runner.FULL if args.full else runner.QUICK
    context = runner.context("default", sizes)
    only = args.only or runner.GROUPS
    rows = list(runner.run("default", sizes, log=_log, only=only))
    if args.db == "sqlite" and "drain" in only and gigq_compare.available():
        rows.append(gigq_compare.measure(sizes.drain, rows))
    checks = runner.check_targets(rows, context["database"])
    report.print_report(context, rows, checks, sys.stdout)
    report.write_json_lines(context, rows, args.json)
    with open(args.plot, "w") as output:
        output.write(report.plot_svg(rows))


def _log(line: str) -> None:
    print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
