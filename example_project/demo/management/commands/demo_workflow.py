"""``manage.py demo_workflow``: submit the demo's ETL workflow."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ...workflows import DEFAULT_SOURCES, submit_etl


class Command(BaseCommand):
    help = "Submit an ETL workflow: one extract per source, then transform, then load."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            action="append",
            dest="sources",
            metavar="NAME",
            help=f"A source to extract (repeatable; default: {' and '.join(DEFAULT_SOURCES)}).",
        )

    def handle(self, *args, **options):
        workflow = submit_etl(options["sources"] or DEFAULT_SOURCES)
        self.stdout.write(f"Submitted workflow {workflow.name!r} ({workflow.id}):")
        for job in workflow.jobs:
            self.stdout.write(f"  {job.id}  {job.name}")
        self.stdout.write("Run `python manage.py gigq_worker` to process them.")
