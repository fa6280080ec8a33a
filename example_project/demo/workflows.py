"""The demo's ETL workflow: one extract per source, then transform, then load.

``transform`` and ``load`` take a ``parent_results`` parameter, so the worker passes them
their dependencies' results: each step reads what the one before returned.
"""

from __future__ import annotations

from collections.abc import Sequence

from django_gigq import Job, JobQueue, Workflow

from .jobs import extract, load, transform

DEFAULT_SOURCES = ("eu-shop", "us-shop")


def submit_etl(sources: Sequence[str] = DEFAULT_SOURCES) -> Workflow:
    """Submit the workflow for ``sources``; return it (``workflow.jobs[-1]`` is the load)."""
    workflow = Workflow("ETL demo")
    extracts = [
        workflow.add_job(Job(f"extract {source}", extract, params={"source": source}))
        for source in sources
    ]
    transform_job = workflow.add_job(Job("transform", transform), depends_on=extracts)
    workflow.add_job(Job("load", load), depends_on=[transform_job])
    workflow.submit_all(JobQueue())
    return workflow
