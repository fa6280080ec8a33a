"""The demo's pages: one form per way of enqueueing work, and pages that follow it.

- ``index``: a form that submits ``slow_square`` and redirects to the job's status page;
- ``create_order``: saves an ``Order``, whose ``post_save`` handler submits its receipt job;
- ``count_words``: enqueues a ``django.tasks`` task through ``GigQBackend`` (Django 6.0+);
- ``run_etl``: submits the extract → transform → load workflow.

The status pages refresh every second until the job (or task) is finished.
"""

from __future__ import annotations

import importlib.util
from uuid import UUID

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from django_gigq import Job, JobQueue
from django_gigq.states import FINAL_STATES

from .jobs import slow_square
from .models import Order
from .workflows import submit_etl

#: Whether this Django has ``django.tasks`` (6.0+); on 5.2 the task form is not shown.
TASKS_AVAILABLE = importlib.util.find_spec("django.tasks") is not None


class SquareForm(forms.Form):
    n = forms.IntegerField(label="Number", min_value=0, max_value=1_000_000, initial=7)


class OrderForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = ["customer", "amount"]


class WordsForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
        max_length=10_000,
        initial="the quick brown fox jumps over the lazy dog, the end",
    )


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """Show every form; on a valid POST, submit ``slow_square`` and follow the job."""
    form = SquareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        n = form.cleaned_data["n"]
        job_id = JobQueue().submit(Job(f"square {n}", slow_square, params={"n": n}))
        return redirect("demo:job", job_id=job_id)
    return _index(request, square_form=form, invalid=request.method == "POST")


@require_POST
def create_order(request: HttpRequest) -> HttpResponse:
    """Save a new order; its ``post_save`` handler submits the receipt job."""
    form = OrderForm(request.POST)
    if not form.is_valid():
        return _index(request, order_form=form, invalid=True)
    order = form.save()
    return redirect("demo:order", order_id=order.pk)


@require_GET
def order_status(request: HttpRequest, order_id: int) -> HttpResponse:
    """Show an order and its receipt, refreshing until the receipt job is finished."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise Http404(f"no order {order_id}")
    job = JobQueue().get_status(str(order.receipt_job_id)) if order.receipt_job_id else None
    final = job is None or not job["exists"] or job["status"] in FINAL_STATES
    return render(request, "demo/order.html", {"order": order, "job": job, "final": final})


@require_POST
def count_words(request: HttpRequest) -> HttpResponse:
    """Enqueue the ``count_words`` task through ``GigQBackend`` and follow its result."""
    if not TASKS_AVAILABLE:
        raise Http404("django.tasks needs Django 6.0 or later")
    from .tasks import count_words as task

    form = WordsForm(request.POST)
    if not form.is_valid():
        return _index(request, words_form=form, invalid=True)
    result = task.enqueue(form.cleaned_data["text"])
    return redirect("demo:task", result_id=result.id)


@require_GET
def task_status(request: HttpRequest, result_id: UUID) -> HttpResponse:
    """Show a ``count_words`` task result, read with ``get_result``, until it is finished."""
    if not TASKS_AVAILABLE:
        raise Http404("django.tasks needs Django 6.0 or later")
    from django.tasks.exceptions import TaskResultDoesNotExist

    from .tasks import count_words as task

    try:
        result = task.get_result(str(result_id))
    except TaskResultDoesNotExist:
        raise Http404(f"no task result {result_id}") from None
    return render(request, "demo/task.html", {"result": result})


@require_POST
def run_etl(request: HttpRequest) -> HttpResponse:
    """Submit the ETL workflow and follow its last step, ``load``."""
    workflow = submit_etl()
    return redirect("demo:job", job_id=workflow.jobs[-1].id)


@require_GET
def job_status(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """Show a job's status and result, refreshing every second until it is final."""
    job = JobQueue().get_status(str(job_id))
    if not job["exists"]:
        raise Http404(f"no job {job_id}")
    return render(request, "demo/job.html", {"job": job, "final": job["status"] in FINAL_STATES})


def _index(
    request: HttpRequest, *, invalid: bool = False, **forms_: forms.BaseForm
) -> HttpResponse:
    """Render the index with fresh forms, or the given ones (a form that did not validate)."""
    context = {
        "square_form": SquareForm(),
        "order_form": OrderForm(),
        "words_form": WordsForm(),
        **forms_,
        "tasks_available": TASKS_AVAILABLE,
        "recent_jobs": JobQueue().list_jobs(limit=10),
        "recent_orders": Order.objects.all()[:5],
    }
    return render(request, "demo/index.html", context, status=400 if invalid else 200)
