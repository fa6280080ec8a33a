"""``manage.py gigq``: submit, inspect and manage jobs, as GigQ's ``gigq`` command does.

Subcommands: ``submit``, ``status``, ``list``, ``cancel``, ``requeue``, ``clear``, ``prune``,
``stats``, ``workers``, ``pause``, ``resume``, ``paused`` and ``health``. Each takes
``--database ALIAS`` and ``--json``.

Exit codes: 0 on success; 1 when the job is unknown, cannot be cancelled or requeued, the
health check fails, or an argument's value is invalid (a ``CommandError``, printed on
stderr); 2 for malformed command lines that argparse rejects (a missing ``--name``, a
non-integer ``--limit``).

With ``--json``, stdout holds one JSON document: ``submit`` ``{"id": ...}``; ``status``
what ``JobQueue.get_status`` returns (``{"exists": false}`` for an unknown job, still exit
1); ``list`` a list of ``JobQueue.list_jobs`` dicts; ``cancel``/``requeue``
``{"id": ..., "cancelled"/"requeued": bool}`` (exit 1 when false); ``clear``
``{"cleared": n}``; ``prune`` ``{status: n}``; ``stats`` ``JobQueue.stats()``; ``workers``
a list of worker dicts; ``pause``/``resume`` ``{"queue": ..., "paused": bool, "changed":
bool}``; ``paused`` ``JobQueue.paused_queues()``; ``health`` the health report (exit 1 when
unhealthy).
Invalid input prints no JSON, only the error on stderr.
"""

from __future__ import annotations

import getpass
import socket
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_gigq import Job, JobQueue, JobStatus
from django_gigq.cli.parsing import (
    FINAL_STATUS_OPTIONS,
    check_importable,
    days_ago,
    invalid_input,
    non_negative_float,
    parse_params,
    positive_int,
    positive_seconds,
    retention_from_options,
)
from django_gigq.cli.render import (
    job_details,
    jobs_table,
    paused_queues_table,
    stats_table,
    to_json,
    workers_table,
)
from django_gigq.cli.tables import format_time
from django_gigq.conf import gigq_settings
from django_gigq.health import check_health
from django_gigq.maintenance import pruning
from django_gigq.models import WorkerProcess

_WORKER_FIELDS = (
    "id",
    "hostname",
    "pid",
    "queues",
    "concurrency",
    "state",
    "started_at",
    "last_heartbeat",
    "stopped_at",
)


class Command(BaseCommand):
    """``manage.py gigq``: GigQ's command line, to submit, inspect and manage jobs."""

    help = "Submit, inspect and manage background jobs (GigQ's CLI)."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        self._add_submit(subcommands)
        status = self._add(subcommands, "status", "Show a job's state and history.")
        status.add_argument("job_id", metavar="JOB_ID")
        status.add_argument("--show-params", action="store_true", help="Show its parameters.")
        status.add_argument("--show-result", action="store_true", help="Show its result.")
        status.add_argument(
            "--show-executions", action="store_true", help="Show a table of its attempts."
        )
        listing = self._add(subcommands, "list", "List jobs, newest first.")
        listing.add_argument("--status", help="Only jobs in this status.")
        listing.add_argument(
            "--limit", type=int, default=100, help="Show at most this many (default: 100)."
        )
        cancel = self._add(
            subcommands, "cancel", "Cancel a pending or running job (and its dependents)."
        )
        cancel.add_argument("job_id", metavar="JOB_ID")
        requeue = self._add(
            subcommands, "requeue", "Run a failed, timed-out or cancelled job again."
        )
        requeue.add_argument("job_id", metavar="JOB_ID")
        clear = self._add(subcommands, "clear", "Delete completed and cancelled jobs.")
        clear.add_argument(
            "--before",
            type=int,
            metavar="DAYS",
            help="Only those that finished more than DAYS days ago.",
        )
        self._add_prune(subcommands)
        self._add(subcommands, "stats", "Count jobs per status.")
        workers = self._add(subcommands, "workers", "List worker processes.")
        workers.add_argument("--all", action="store_true", help="Include stopped and dead workers.")
        pause = self._add(
            subcommands, "pause", "Stop workers from claiming a queue's jobs until resumed."
        )
        pause.add_argument("queue_name", metavar="QUEUE")
        pause.add_argument("--reason", default="", help="Why, for whoever sees the pause.")
        resume = self._add(subcommands, "resume", "Let workers claim a paused queue's jobs again.")
        resume.add_argument("queue_name", metavar="QUEUE")
        self._add(subcommands, "paused", "List the paused queues.")
        health = self._add(
            subcommands,
            "health",
            "Check the database, the workers and the backlog; exit 1 if unhealthy.",
        )
        health.add_argument(
            "--max-age",
            type=positive_seconds,
            metavar="SECONDS",
            help="Longest a claimable job may wait (default: GIGQ['HEALTH_MAX_AGE']).",
        )

    def _add_submit(self, subcommands) -> None:
        submit = self._add(subcommands, "submit", "Submit a job.")
        submit.add_argument("function", metavar="FUNCTION", help="Dotted path: module.func.")
        submit.add_argument("--name", required=True, help="A label for people.")
        submit.add_argument(
            "-p",
            "--param",
            action="append",
            dest="params",
            metavar="KEY=VALUE",
            help="A keyword argument (repeatable); VALUE is JSON if it parses, else text.",
        )
        submit.add_argument(
            "--priority", type=int, default=0, help="Higher runs first (default: 0)."
        )
        submit.add_argument(
            "--max-attempts", type=int, default=3, help="Runs in all, at most (default: 3)."
        )
        submit.add_argument(
            "--timeout", type=int, default=300, help="Seconds one run may take (default: 300)."
        )
        submit.add_argument("--description", default="", help="Free text.")
        submit.add_argument(
            "--retry-delay",
            type=int,
            default=0,
            help="Seconds to wait before a retry (default: 0).",
        )
        submit.add_argument(
            "--queue", default=None, help="Queue to put it in (default: GIGQ['DEFAULT_QUEUE'])."
        )

    def _add_prune(self, subcommands) -> None:
        prune = self._add(
            subcommands, "prune", "Delete finished jobs older than a retention, in batches."
        )
        prune.add_argument(
            "--older-than",
            type=non_negative_float,
            metavar="DAYS",
            help="Days to keep jobs of every final status.",
        )
        for status in FINAL_STATUS_OPTIONS:
            prune.add_argument(
                f"--{status}",
                type=non_negative_float,
                metavar="DAYS",
                help=f"Days to keep {status} jobs (overrides --older-than for them).",
            )
        prune.add_argument(
            "--batch-size",
            type=positive_int,
            default=pruning.BATCH_SIZE,
            help=f"Jobs deleted per transaction (default: {pruning.BATCH_SIZE}).",
        )
        prune.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def _add(self, subcommands, name: str, help_text: str) -> CommandParser:
        """Add subcommand ``name`` with the options every subcommand takes."""
        parser = subcommands.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("--database", default=None, help="Database alias of the jobs.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON on stdout."
        )
        return parser

    def handle(self, *args: Any, **options: Any) -> None:
        with invalid_input():
            queue = JobQueue(options["database"])
        handler = getattr(self, f"handle_{options['subcommand']}")
        handler(queue, options)

    def handle_submit(self, queue: JobQueue, options: dict[str, Any]) -> None:
        """Check the function imports, then submit it and print its id."""
        params = parse_params(options["params"])
        with invalid_input():
            job = Job(
                name=options["name"],
                function=options["function"],
                params=params,
                priority=options["priority"],
                max_attempts=options["max_attempts"],
                timeout=options["timeout"],
                description=options["description"],
                retry_delay=options["retry_delay"],
                queue=options["queue"],
            )
        check_importable(job.function_path)
        with invalid_input():
            job_id = queue.submit(job)
        self._output(options, {"id": job_id}, f"Job submitted: {job_id}")

    def handle_status(self, queue: JobQueue, options: dict[str, Any]) -> None:
        """Print a job's state; exit 1 if no job has the id."""
        with invalid_input():
            status = queue.get_status(options["job_id"])
        if not status["exists"]:
            self._fail(options, status, f"Job {options['job_id']} not found.")
        details = job_details(
            status,
            show_params=options["show_params"],
            show_result=options["show_result"],
            show_executions=options["show_executions"],
        )
        self._output(options, status, details)

    def handle_list(self, queue: JobQueue, options: dict[str, Any]) -> None:
        """Print up to ``--limit`` jobs, newest first."""
        with invalid_input():
            jobs = queue.list_jobs(status=options["status"], limit=options["limit"])
        self._output(options, jobs, jobs_table(jobs) if jobs else "No jobs found.")

    def handle_cancel(self, queue: JobQueue, options: dict[str, Any]) -> None:
        """Cancel a pending job, or have a running one stopped; exit 1 if it was neither."""
        job_id = options["job_id"]
        with invalid_input():
            cancelled = queue.cancel(job_id)
        stopping = cancelled and queue.get_status(job_id)["status"] == JobStatus.RUNNING
        data = {"id": job_id, "cancelled": cancelled, "stopping": stopping}
        if not cancelled:
            self._fail(
                options,
                data,
                f"Could not cancel job {job_id}. It might not be pending or running "
                "(or it was already asked to stop).",
            )
        if stopping:
            message = f"Job {job_id} is running: its worker was asked to stop it."
        else:
            message = f"Job {job_id} cancelled."
        self._output(options, data, message)

    def handle_requeue(self, queue: JobQueue, options: dict[str, Any]) -> None:
        """Requeue a failed, timed-out or cancelled job; exit 1 if it was none of those."""
        job_id = options["job_id"]
        with invalid_input():
            requeued = queue.requeue_job(job_id)
        data = {"id": job_id, "requeued": requeued}
        if not requeued:
            self._fail(
                options, data, f"Could not requeue job {job_id}. It might not be in a failed state."
            )
        self._output(options, data, f"Job {job_id} requeued.")

    def handle_clear(self, queue: JobQueue, options: dict[str, Any]) -> None:
        """Delete completed and cancelled jobs, optionally only those older than DAYS."""
        before = None if options["before"] is None else days_ago(options["before"])
        cleared = queue.clear_completed(before_timestamp=before)
        self._output(options, {"cleared": cleared}, f"Cleared {cleared} completed jobs.")

    def handle_prune(self, queue: JobQueue, options: dict[str, Any]) -> None:
        """Delete finished jobs past their retention (from the options or the settings)."""
        retention = retention_from_options(options)
        with invalid_input():
            if retention is None:
                retention = gigq_settings.PRUNE_AFTER_DAYS
        if retention is None:
            raise CommandError(
                "say how long to keep finished jobs: --older-than DAYS, or per status "
                "(--completed DAYS, --failed DAYS...), or set GIGQ['PRUNE_AFTER_DAYS']"
            )
        deleted = pruning.prune(
            retention,
            using=queue.using,
            batch_size=options["batch_size"],
            dry_run=options["dry_run"],
        )
        verb = "Would delete" if options["dry_run"] else "Deleted"
        counts = ", ".join(f"{n} {status}" for status, n in deleted.items())
        self._output(options, deleted, f"{verb} {sum(deleted.values())} jobs ({counts}).")

    def handle_stats(self, queue: JobQueue, options: dict[str, Any]) -> None:
        """Print how many jobs are in each status."""
        stats = queue.stats()
        text = stats_table(stats)
        paused = [row["queue"] for row in queue.paused_queues()]
        if paused:
            text += f"\n\nPaused queues (no worker claims their jobs): {', '.join(paused)}"
        self._output(options, stats, text)

    def handle_workers(self, queue: JobQueue, options: dict[str, Any]) -> None:
        """Print the live worker processes (every recorded one with ``--all``)."""
        workers = WorkerProcess.objects.using(queue.using)
        if not options["all"]:
            workers = workers.live()
        rows = list(workers.values(*_WORKER_FIELDS))
        if rows:
            text = workers_table(rows, show_stopped=options["all"])
        else:
            text = "No workers recorded." if options["all"] else "No live workers."
        self._output(options, rows, text)

    def handle_pause(self, queue: JobQueue, options: dict[str, Any]) -> None:
        """Pause a queue; a queue already paused keeps its first pause."""
        name = options["queue_name"]
        with invalid_input():
            changed = queue.pause(name, options["reason"], paused_by=_operator())
        data = {"queue": name, "paused": True, "changed": changed}
        if changed:
            text = f"Queue {name} paused: no worker claims its jobs until `gigq resume {name}`."
        else:
            text = f"Queue {name} was already paused{_since(queue, name)}."
        self._output(options, data, text)

    def handle_resume(self, queue: JobQueue, options: dict[str, Any]) -> None:
        """Resume a paused queue."""
        name = options["queue_name"]
        with invalid_input():
            changed = queue.resume(name)
        data = {"queue": name, "paused": False, "changed": changed}
        text = f"Queue {name} resumed." if changed else f"Queue {name} was not paused."
        self._output(options, data, text)

    def handle_paused(self, queue: JobQueue, options: dict[str, Any]) -> None:
        """Print the paused queues."""
        paused = queue.paused_queues()
        self._output(
            options, paused, paused_queues_table(paused) if paused else "No queue is paused."
        )

    def handle_health(self, queue: JobQueue, options: dict[str, Any]) -> None:
        """Print the health summary; exit 1 with the reason when unhealthy."""
        report = check_health(using=queue.using, max_age=options["max_age"])
        if not report.healthy:
            self._fail(options, report.as_dict(), report.reason)
        self._output(options, report.as_dict(), report.reason)

    def _output(self, options: dict[str, Any], data: Any, text: str) -> None:
        """Print ``data`` as JSON with ``--json``, else ``text``."""
        if options["as_json"]:
            self.stdout.write(to_json(data))
        else:
            self.stdout.write(text)

    def _fail(self, options: dict[str, Any], data: Any, message: str) -> NoReturn:
        """Print ``data`` as JSON with ``--json``, then exit 1 with ``message`` on stderr."""
        if options["as_json"]:
            self.stdout.write(to_json(data))
        raise CommandError(message)


def _operator() -> str:
    """Return who runs the command, as ``user@host``, for the pause's ``paused_by``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        user = "?"
    return f"{user}@{socket.gethostname()}"


def _since(queue: JobQueue, name: str) -> str:
    for row in queue.paused_queues():
        if row["queue"] == name:
            by = f" by {row['paused_by']}" if row["paused_by"] else ""
            return f" (since {format_time(row['paused_at'])}{by})"
    return ""
