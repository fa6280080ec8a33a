"""The example project, end to end: its pages hand work to a real ``gigq_worker`` process.

Each test drives the ``demo`` app's views with the Django test client (the test settings
install it and mount its URLs under ``/demo/``), runs ``gigq_worker --burst`` in a
subprocess against the test database, and checks what the pages and the database show.
"""

import re
import subprocess
import sys

import pytest
from demo.models import Order
from demo.views import TASKS_AVAILABLE
from django.db import transaction
from django.urls import reverse

from django_gigq.models import Job as JobRow
from tests.processes import ROOT, worker_env

pytestmark = pytest.mark.django_db(transaction=True)

REFRESH = '<meta http-equiv="refresh"'


def run_worker():
    """Run ``gigq_worker --burst`` in a subprocess until no job is left to claim."""
    process = subprocess.run(
        [sys.executable, "-m", "django", "gigq_worker", "--burst", "--polling-interval", "0"],
        env=worker_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 0, process.stderr


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_index_shows_every_way_to_enqueue_and_links_the_admin(client):
    html = page(client, reverse("demo:index"))

    for url in ("demo:index", "demo:create_order", "demo:run_etl"):
        assert f'action="{reverse(url)}"' in html
    assert reverse("admin:django_gigq_job_dashboard") in html
    assert reverse("admin:django_gigq_workflow_changelist") in html
    assert reverse("admin:demo_order_changelist") in html
    if TASKS_AVAILABLE:
        assert f'action="{reverse("demo:count_words")}"' in html


def test_form_submits_a_job_whose_page_refreshes_until_the_worker_has_run_it(client):
    response = client.post(reverse("demo:index"), {"n": "6"})

    assert response.status_code == 302
    job = JobRow.objects.get()
    assert response["Location"] == reverse("demo:job", args=[job.id])
    assert (job.function, job.params, job.status) == ("demo.jobs.slow_square", {"n": 6}, "pending")
    html = page(client, response["Location"])
    assert REFRESH in html and "pending" in html

    run_worker()

    html = page(client, response["Location"])
    assert REFRESH not in html
    assert re.search(r'class="status-completed">completed<', html)
    assert "<code>36</code>" in html


def test_invalid_form_is_shown_again_and_submits_nothing(client):
    response = client.post(reverse("demo:index"), {"n": "-1"})

    assert response.status_code == 400
    assert not JobRow.objects.exists()


def test_saving_an_order_enqueues_its_receipt_job_which_the_worker_writes(client):
    response = client.post(reverse("demo:create_order"), {"customer": "Ada", "amount": "12.50"})

    assert response.status_code == 302
    order = Order.objects.get()
    job = JobRow.objects.get()
    assert order.receipt_job_id == job.id
    assert (job.function, job.params) == ("demo.jobs.write_receipt", {"order_id": order.pk})
    html = page(client, response["Location"])
    assert REFRESH in html and "Not written yet" in html

    run_worker()

    order.refresh_from_db()
    assert "Customer: Ada" in order.receipt and "12.50 EUR" in order.receipt
    assert JobRow.objects.get().status == "completed"
    assert JobRow.objects.count() == 1  # the job's own save of the order submitted nothing
    html = page(client, response["Location"])
    assert REFRESH not in html and "Customer: Ada" in html


def test_an_order_that_is_rolled_back_leaves_no_job():
    with pytest.raises(RuntimeError), transaction.atomic():
        Order.objects.create(customer="Bob", amount="1.00")
        assert JobRow.objects.count() == 1  # stored in the order's own transaction
        raise RuntimeError("the request failed after saving the order")

    assert not Order.objects.exists()
    assert not JobRow.objects.exists()


def test_an_order_saved_in_the_admin_gets_its_receipt(admin_client):
    response = admin_client.post(
        reverse("admin:demo_order_add"), {"customer": "Cy", "amount": "3.00"}
    )

    assert response.status_code == 302
    run_worker()
    assert "Customer: Cy" in Order.objects.get().receipt


@pytest.mark.skipif(not TASKS_AVAILABLE, reason="the demo's task needs Django 6.0 or later")
def test_task_is_enqueued_through_gigq_backend_and_its_result_page_shows_the_return_value(
    client,
):
    from demo.tasks import count_words

    response = client.post(reverse("demo:count_words"), {"text": "to be or not to be"})

    assert response.status_code == 302
    job = JobRow.objects.get()
    assert response["Location"] == reverse("demo:task", args=[job.id])
    assert job.function == "demo.tasks.count_words"
    html = page(client, response["Location"])
    assert REFRESH in html and "READY" in html

    run_worker()

    result = count_words.get_result(str(job.id))
    assert str(result.status) == "SUCCESSFUL"
    assert result.return_value == {"words": 6, "most_common": [["to", 2], ["be", 2], ["or", 1]]}
    html = page(client, response["Location"])
    assert REFRESH not in html and "SUCCESSFUL" in html and "&#x27;words&#x27;: 6" in html


def test_etl_workflow_passes_each_steps_result_to_the_next(client):
    response = client.post(reverse("demo:run_etl"))

    assert response.status_code == 302
    load = JobRow.objects.get(name="load")
    assert response["Location"] == reverse("demo:job", args=[load.id])
    assert JobRow.objects.filter(workflow_id=load.workflow_id).count() == 4

    run_worker()

    statuses = set(JobRow.objects.values_list("status", flat=True))
    assert statuses == {"completed"}
    transform = JobRow.objects.get(name="transform").result
    load.refresh_from_db()
    assert transform["sources"] == ["eu-shop", "us-shop"] and transform["records"] == 40
    assert load.result["from_records"] == 40
    assert load.result["grand_total"] == round(sum(transform["totals"].values()), 2)
    html = page(client, response["Location"])
    assert "loaded_rows" in html
    assert reverse("admin:django_gigq_workflow_change", args=[load.workflow_id]) in html
