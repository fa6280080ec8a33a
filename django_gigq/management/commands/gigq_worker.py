"""``manage.py gigq_worker``: claim and run jobs until stopped."""

from __future__ import annotations

import argparse
import logging

from django.core.management.base import BaseCommand

from django_gigq.conf import gigq_settings
from django_gigq.worker import Worker


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1; got {number}")
    return number


def non_negative_float(value: str) -> float:
    number = float(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more; got {number}")
    return number


class Command(BaseCommand):
    help = "Run a worker that claims jobs from the database and runs them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            action="append",
            dest="queues",
            metavar="NAME",
            help="Take jobs from this queue (repeatable; default: every queue).",
        )
        parser.add_argument(
            "--concurrency",
            type=positive_int,
            default=1,
            help="Jobs run side by side, each in its own thread (default: 1).",
        )
        parser.add_argument(
            "--polling-interval",
            type=non_negative_float,
            default=None,
            help="Seconds to wait when no job is claimable (default: GIGQ['POLLING_INTERVAL'], 1).",
        )
        parser.add_argument(
            "--burst",
            action="store_true",
            help="Run until no job is claimable, then exit 0.",
        )
        parser.add_argument(
            "--max-jobs", type=positive_int, default=None, help="Exit after this many jobs."
        )
        parser.add_argument("--worker-id", default=None, help="Recorded on every job it runs.")
        parser.add_argument("--database", default=None, help="Database alias of the job tables.")

    def handle(self, *args, **options):
        _configure_logging(options["verbosity"])
        interval = options["polling_interval"]
        worker = Worker(
            using=options["database"],
            worker_id=options["worker_id"],
            polling_interval=gigq_settings.POLLING_INTERVAL if interval is None else interval,
            concurrency=options["concurrency"],
            queues=options["queues"],
        )
        if options["burst"] or options["max_jobs"]:
            processed = worker.run(burst=options["burst"], max_jobs=options["max_jobs"])
            if options["verbosity"]:
                self.stdout.write(f"Processed {processed} job(s).")
            return
        self.stdout.write(f"Starting worker {worker.worker_id}")
        worker.start()


def _configure_logging(verbosity: int) -> None:
    level = {0: logging.ERROR, 1: logging.WARNING, 2: logging.INFO}.get(verbosity, logging.DEBUG)
    logger = logging.getLogger("django_gigq")
    logger.setLevel(level)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
