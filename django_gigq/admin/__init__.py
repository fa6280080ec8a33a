"""The admin: an operations console for jobs, workflows and workers.

- ``jobs``: the job list (fast at millions of rows), cancel / requeue actions and buttons
  with their own permissions, the job page with its runs, dependencies and workflow, and
  the dashboard at ``admin/django_gigq/job/dashboard/``.
- ``workflows``: a workflow's jobs as a dependency graph.
- ``workers``: the ``gigq_worker`` processes and their heartbeats.
- ``queues``: paused queues, and the dashboard's pause / resume buttons (their own
  permission).
- ``schedules``: periodic schedules, editable (the one model here that is).

Everything but schedules is read-only: changes go through the API (``JobQueue.cancel``,
``requeue_job``), the same guarded transitions that workers and the CLI use.
"""

from __future__ import annotations

from .jobs import JobAdmin, JobExecutionInline
from .queues import PausedQueueAdmin
from .schedules import ScheduleAdmin
from .workers import WorkerProcessAdmin
from .workflows import WorkflowAdmin

__all__ = [
    "JobAdmin",
    "JobExecutionInline",
    "PausedQueueAdmin",
    "ScheduleAdmin",
    "WorkerProcessAdmin",
    "WorkflowAdmin",
]
