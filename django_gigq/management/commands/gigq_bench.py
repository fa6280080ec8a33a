"""``manage.py gigq_bench``: measure django-gigq on this project's job database."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from django_gigq.bench import BENCH_QUEUE, report, runner
from django_gigq.bench.jobs import noop
from django_gigq.db import resolve_alias
from django_gigq.importing import check_allowed


class Command(BaseCommand):
    """``manage.py gigq_bench``: run the benchmarks and print (or save) their results."""

    help = (
        f"Measure submit and drain rates, pick-up latency and scaling on the job database, "
        f"beside a bare psycopg loop on PostgreSQL. Uses (and deletes) only jobs in the "
        f"'{BENCH_QUEUE}' queue; run it on a database that can take the load."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full",
            action="store_true",
            help="Full sizes (10,000-job drains, 1,000,000 finished rows); default: quick.",
        )
        parser.add_argument("--json", metavar="FILE", help="Append the results as JSON lines.")
        parser.add_argument("--plot", metavar="FILE.svg", help="Write an SVG plot.")
        parser.add_argument("--database", default=None, help="Database alias of the job tables.")
        parser.add_argument(
            "--only",
            action="append",
            choices=runner.GROUPS,
            help="Run only this measurement (repeat for several); default: all.",
        )

    def handle(self, *args, **options):
        using = resolve_alias(options["database"])
        try:
            check_allowed(noop.__module__ + ".noop")
        except ValueError as exc:
            raise CommandError(
                f"{exc}. The benchmark's jobs live in django_gigq.bench: add it to "
                f"GIGQ['ALLOWED_MODULES'] to run gigq_bench."
            ) from exc
        sizes = runner.FULL if options["full"] else runner.QUICK
        context = runner.context(using, sizes)
        only = options["only"] or runner.GROUPS
        rows = list(runner.run(using, sizes, log=lambda line: self.stderr.write(line), only=only))
        report.print_report(
            context, rows, runner.check_targets(rows, context["database"]), self.stdout
        )
        if options["json"]:
            report.write_json_lines(context, rows, options["json"])
        if options["plot"]:
            with open(options["plot"], "w") as output:
                output.write(report.plot_svg(rows))
        sys.stdout.flush()
