"""``manage.py gigq_worker``: run jobs in a pool of child processes until stopped."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from django_gigq.checks import require_migrated
from django_gigq.conf import gigq_settings
from django_gigq.db import resolve_alias
from django_gigq.worker.inprocess import default_worker_id
from django_gigq.worker.progress import ProgressBar
from django_gigq.worker.supervisor import Supervisor, SupervisorOptions


def positive_int(value: str) -> int:
    """Parse an option that must be a whole number of at least 1 (argparse ``type``)."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1; got {number}")
    return number


def non_negative_float(value: str) -> float:
    """Parse an option that must be a number of 0 or more (argparse ``type``)."""
    number = float(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more; got {number}")
    return number


def port_number(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"must be a TCP port, 1 to 65535; got {number}")
    return number


class Command(BaseCommand):
    """``manage.py gigq_worker``: parse the options and hand over to a ``Supervisor``."""

    help = "Run a worker: claim jobs from the database and run them in child processes."

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
            default=None,
            help="Child processes running jobs side by side (default: the number of CPUs).",
        )
        parser.add_argument(
            "--polling-interval",
            type=non_negative_float,
            default=None,
            help="Seconds between looks for jobs when idle (default: GIGQ['POLLING_INTERVAL'], "
            "1). On PostgreSQL new jobs also wake the worker at once.",
        )
        parser.add_argument(
            "--burst", action="store_true", help="Run until no job is claimable, then exit 0."
        )
        parser.add_argument(
            "--max-jobs", type=positive_int, default=None, help="Exit after this many jobs."
        )
        parser.add_argument(
            "--worker-id", default=None, help="A unique id (default: host:pid:random)."
        )
        parser.add_argument(
            "--batch",
            type=positive_int,
            default=None,
            help="Jobs claimed per claim transaction (default: automatic, from about one per "
            "idle child for long jobs up to 100 for very short ones).",
        )
        parser.add_argument(
            "--shutdown-timeout",
            type=non_negative_float,
            default=None,
            help="Seconds running jobs get to finish after SIGTERM / SIGINT before they are "
            "put back (default: GIGQ['SHUTDOWN_TIMEOUT'], 30).",
        )
        parser.add_argument("--database", default=None, help="Database alias of the job tables.")
        parser.add_argument(
            "--metrics-port",
            type=port_number,
            default=None,
            metavar="PORT",
            help="Serve Prometheus metrics on http://ADDR:PORT/metrics (needs "
            "django-gigq[prometheus]).",
        )
        parser.add_argument(
            "--metrics-addr",
            default="0.0.0.0",
            metavar="ADDR",
            help="The address --metrics-port listens on (default: 0.0.0.0, every interface).",
        )

    def handle(self, *args, **options):
        _configure_logging(options["verbosity"])
        interval = options["polling_interval"]
        grace = options["shutdown_timeout"]
        supervisor_options = SupervisorOptions(
            worker_id=options["worker_id"] or default_worker_id(),
            using=resolve_alias(options["database"]),
            queues=options["queues"],
            concurrency=options["concurrency"] or os.cpu_count() or 1,
            polling_interval=gigq_settings.POLLING_INTERVAL if interval is None else interval,
            batch=options["batch"],
            burst=options["burst"],
            max_jobs=options["max_jobs"],
            shutdown_timeout=gigq_settings.SHUTDOWN_TIMEOUT if grace is None else grace,
        )
        require_migrated(supervisor_options.using)
        progress = None
        if options["burst"] and sys.stderr.isatty() and options["verbosity"] >= 1:
            progress = ProgressBar(supervisor_options, sys.stderr)
        supervisor = Supervisor(supervisor_options, on_progress=progress)
        metrics = _serve_metrics(options, supervisor_options.using)
        try:
            exit_code = supervisor.run()
        except ValueError as exc:  # e.g. a --worker-id a live worker uses
            raise CommandError(str(exc)) from exc
        finally:
            if metrics is not None:
                metrics.shutdown()
                metrics.server_close()
        if progress is not None:
            progress.close()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Processed {supervisor.processed} job(s).")
        if exit_code:
            sys.exit(exit_code)


def _serve_metrics(options: dict, using: str):
    """Start the ``--metrics-port`` server, if asked; return it, or None."""
    port = options["metrics_port"]
    if port is None:
        return None
    try:
        from django_gigq.metrics import start_metrics_server
    except ImportError as exc:
        raise CommandError(
            f"--metrics-port needs prometheus_client ({exc}); install django-gigq[prometheus]"
        ) from exc
    addr = options["metrics_addr"]
    try:
        server = start_metrics_server(port, addr, using=using)
    except OSError as exc:
        raise CommandError(f"cannot serve metrics on {addr}:{port}: {exc}") from exc
    logging.getLogger("django_gigq.worker").info(
        "Serving Prometheus metrics on http://%s:%s/metrics", addr, port
    )
    return server


def _configure_logging(verbosity: int) -> None:
    """Show django_gigq's log at the level -v asks for, unless LOGGING already handles it."""
    level = {0: logging.ERROR, 1: logging.WARNING, 2: logging.INFO}.get(verbosity, logging.DEBUG)
    logger = logging.getLogger("django_gigq")
    logger.setLevel(level)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
