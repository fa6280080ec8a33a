"""``manage.py demo_workflow``: submit the demo's ETL workflow."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from django_gigq import Job, JobQueue, Workflow

from ...jobs import extract, load, transform


class Command(BaseCommand):
    help = "Submit an ETL workflow: one extract per source, then transform, then load."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            action="append",
            dest="sources",
            metavar="NAME",
            help="A source to extract (repeatable; default: eu-shop and us-shop).",
        )

    def handle(self, *args, **options):
        sources = options["sources"] or ["eu-shop", "us-shop"]
        workflow = Workflow("ETL demo")
        extracts = [
            workflow.add_job(Job(f"extract {source}", extract, params={"source": source}))
            for source in sources
        ]
        # transform and load receive their dependencies' results as ``parent_results``.
        transform_job = workflow.add_job(Job("transform", transform), depends_on=extracts)
        workflow.add_job(Job("load", load), depends_on=[transform_job])
        workflow.submit_all(JobQueue())

        self.stdout.write(f"Submitted workflow {workflow.name!r} ({workflow.id}):")
        for job in workflow.jobs:
            self.stdout.write(f"  {job.id}  {job.name}")
        self.stdout.write("Run `python manage.py gigq_worker` to process them.")
