"""A form that submits a slow job, and a page that follows it until it finishes."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from django_gigq import Job, JobQueue
from django_gigq.states import FINAL_STATES

from .jobs import slow_square


class SquareForm(forms.Form):
    n = forms.IntegerField(label="Number", min_value=0, max_value=1_000_000, initial=7)


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """Show the form; on a valid POST, submit ``slow_square`` and follow the job."""
    form = SquareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        n = form.cleaned_data["n"]
        job_id = JobQueue().submit(Job(f"square {n}", slow_square, params={"n": n}))
        return redirect("demo:job", job_id=job_id)
    recent = JobQueue().list_jobs(limit=10)
    return render(request, "demo/index.html", {"form": form, "recent": recent})


@require_GET
def job_status(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """Show a job's status and result, refreshing every second until it is final."""
    job = JobQueue().get_status(str(job_id))
    if not job["exists"]:
        raise Http404(f"no job {job_id}")
    return render(request, "demo/job.html", {"job": job, "final": job["status"] in FINAL_STATES})
