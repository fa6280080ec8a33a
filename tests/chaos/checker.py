"""The chaos suite's verdict: compare what the jobs did with what django-gigq recorded.

After a scenario, ``check`` reads the jobs, their executions and the ``ChaosRun`` rows the
job functions wrote, and counts what must never happen:

- **lost**: a job that did not end ``completed`` (every scenario gives its jobs enough
  attempts to survive the chaos);
- **stuck**: a job or an execution still ``running`` once the workers stopped;
- **duplicates**: a completed job without exactly one completed execution, or whose
  completed execution matches no run that reached its end;
- **overlaps**: two runs of one job at the same time, where the earlier run was not given
  up as "worker lost" (a run ends when its row says so, or, if it was killed, when
  django-gigq recorded its execution over);
- **late_overlaps**: the same for a run given up as "worker lost" (a frozen worker woken
  after its lease expired); allowed only where a scenario says so.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import connection

from django_gigq.models import Job, JobExecution
from django_gigq.states import JobStatus
from tests.models import ChaosRun

RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class Report:
    """What one scenario did, and what went wrong (the last five must be zero)."""

    scenario: str
    database: str = ""
    jobs: int = 0
    completed: int = 0
    runs: int = 0
    reruns: int = 0
    kills: int = 0
    restarts: int = 0
    seconds: float = 0.0
    lost: int = 0
    stuck: int = 0
    duplicates: int = 0
    overlaps: int = 0
    late_overlaps: int = 0
    problems: list[str] = field(default_factory=list)

    def assert_sound(self, allow_late_overlaps: bool = False) -> None:
        """Fail with every problem found, unless there is none."""
        bad = self.lost or self.stuck or self.duplicates or self.overlaps
        if not allow_late_overlaps:
            bad = bad or self.late_overlaps
        assert not bad, f"{self.summary()}\n" + "\n".join(self.problems[:30])

    def summary(self) -> str:
        figures = {k: v for k, v in asdict(self).items() if k != "problems"}
        return ", ".join(f"{key}={value}" for key, value in figures.items())

    def save(self) -> None:
        """Append this report to test-artifacts/chaos-results.jsonl (for the docs' table)."""
        RESULTS_DIR.mkdir(exist_ok=True)
        line = {k: v for k, v in asdict(self).items() if k != "problems"}
        line["profile"] = os.environ.get("GIGQ_CHAOS", "short")
        with open(RESULTS_DIR / "chaos-results.jsonl", "a") as out:
            out.write(json.dumps(line) + "\n")


def check(scenario: str, job_ids: list[str], **figures) -> Report:
    """Build the report of a scenario whose jobs are ``job_ids``; see the module docstring."""
    report = Report(scenario=scenario, database=connection.vendor, jobs=len(job_ids), **figures)
    jobs = {str(row["id"]): row for row in Job.objects.filter(id__in=job_ids).values()}
    executions = defaultdict(list)
    for execution in JobExecution.objects.filter(job_id__in=job_ids).values():
        executions[str(execution["job_id"])].append(execution)
    runs = defaultdict(list)
    for run in ChaosRun.objects.filter(job_id__in=job_ids).order_by("started_at", "id"):
        runs[run.job_id].append(run)
    report.runs = sum(len(r) for r in runs.values())
    report.reruns = sum(len(r) - 1 for r in runs.values() if len(r) > 1)

    for job_id in job_ids:
        job = jobs.get(job_id)
        if job is None:
            report.lost += 1
            report.problems.append(f"{job_id}: no such job")
            continue
        _check_job(report, job, executions[job_id], runs[job_id])
    return report


def _check_job(report: Report, job: dict, executions: list[dict], runs: list[ChaosRun]) -> None:
    job_id = str(job["id"])
    if job["status"] == JobStatus.RUNNING or any(
        e["status"] == JobStatus.RUNNING for e in executions
    ):
        report.stuck += 1
        report.problems.append(f"{job_id}: still running ({job['status']}, {executions})")
    if job["status"] == JobStatus.COMPLETED:
        report.completed += 1
        completed = [e for e in executions if e["status"] == JobStatus.COMPLETED]
        ended_attempts = {run.attempt for run in runs if run.ended_at is not None}
        if len(completed) != 1 or completed[0]["attempt"] not in ended_attempts:
            report.duplicates += 1
            report.problems.append(
                f"{job_id}: {len(completed)} completed execution(s), finished runs of "
                f"attempts {sorted(ended_attempts)}"
            )
    elif job["status"] != JobStatus.RUNNING:
        report.lost += 1
        report.problems.append(f"{job_id}: ended {job['status']}: {job['error'][:200]}")
    _check_overlaps(report, job_id, executions, runs)


def _check_overlaps(
    report: Report, job_id: str, executions: list[dict], runs: list[ChaosRun]
) -> None:
    recorded_end = {e["attempt"]: e for e in executions}
    for earlier, later in zip(runs, runs[1:], strict=False):
        execution = recorded_end.get(earlier.attempt)
        end = earlier.ended_at or (execution and execution["completed_at"])
        if end is None or end <= later.started_at:
            continue
        lost = execution is not None and execution["error"].startswith("worker lost")
        if lost and earlier.ended_at is not None:
            report.late_overlaps += 1
        else:
            report.overlaps += 1
        report.problems.append(
            f"{job_id}: attempt {earlier.attempt} (pid {earlier.pid}, "
            f"{earlier.started_at}..{end}) overlaps attempt {later.attempt} "
            f"(pid {later.pid}, from {later.started_at})"
        )
