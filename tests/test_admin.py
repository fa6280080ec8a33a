"""The admin as an operations console: list, filters, actions, job and workflow pages, dashboard.

Driven with Django's test client as a superuser; permissions have their own module
(``test_admin_permissions.py``) and the browser its own (``test_admin_browser.py``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from django_gigq import Job, JobContext, JobStatus, Workflow
from django_gigq.admin import filters, graph, operations
from django_gigq.admin.charts import MinuteCounts, finished_per_minute_chart, nice_ceiling
from django_gigq.admin.dashboard import percentile
from django_gigq.admin.graph import Node, dependency_graph_svg, layer_nodes
from django_gigq.claim import claim_jobs
from django_gigq.models import Job as JobRow
from django_gigq.worker.heartbeat import register_worker
from tests import jobs

CHANGELIST = "admin:django_gigq_job_changelist"
DASHBOARD = "admin:django_gigq_job_dashboard"


@dataclass
class OpsData:
    """A small but varied job table: a workflow, failures, pending work in two queues."""

    workflow: Workflow
    extract: Job
    transforms: list[Job]
    publish: Job
    upload: Job
    notify: Job
    resize: Job
    emails: list[Job]


def make_ops_data(queue, drain) -> OpsData:
    """Submit and run jobs through the API so every row is one the system really writes."""
    flow = Workflow("nightly-report")
    extract = flow.add_job(Job("extract", jobs.add, params={"a": 1, "b": 2}))
    transforms = [
        flow.add_job(Job(f"transform-{part}", jobs.record, params={"key": part}), [extract])
        for part in ("users", "orders", "stock")
    ]
    publish = flow.add_job(Job("publish", jobs.noop), transforms)
    upload = flow.add_job(
        Job("upload", jobs.fail, params={"message": "S3 said no"}, max_attempts=1)
    )
    notify = flow.add_job(Job("notify", jobs.noop), [publish, upload])
    flow.submit_all(queue)
    resize = Job("resize-image", jobs.fail, params={"message": "bad pixel"}, max_attempts=2)
    queue.submit(resize)
    drain()
    emails = [
        Job(f"send-email-{i}", jobs.noop, queue="emails", params={"to": f"user{i}@example.com"})
        for i in range(3)
    ]
    queue.submit_many(emails)
    return OpsData(flow, extract, transforms, publish, upload, notify, resize, emails)


def status(job: Job) -> str:
    return JobRow.objects.get(id=job.id).status


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def post_action(client, action: str, selected: list[Job]):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [job.id for job in selected], "index": 0},
        follow=True,
    )


@pytest.fixture
def ops(queue, drain) -> OpsData:
    return make_ops_data(queue, drain)


# The job list.


def test_job_list_shows_each_job_with_a_status_badge(admin_client, ops):
    response = admin_client.get(reverse(CHANGELIST))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="gigq-badge gigq-status-failed">Failed</span>' in html
    assert '<span class="gigq-badge gigq-status-cancelled">Cancelled</span>' in html
    assert "send-email-2" in html and "1 / 3" in html
    assert reverse(DASHBOARD) in html


def test_job_list_runs_the_same_queries_for_10_jobs_as_for_60(admin_client, queue):
    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse(CHANGELIST)).status_code == 200
        return len(queries)

    queue.submit_many([Job(f"job-{i}", jobs.noop) for i in range(10)])
    few = list_queries()
    queue.submit_many([Job(f"job-{i}", jobs.noop, queue=f"q{i % 7}") for i in range(50)])

    assert list_queries() == few


def test_job_list_counts_matches_only_up_to_a_bound_and_never_the_whole_table(
    admin_client, queue, monkeypatch
):
    monkeypatch.setattr(filters.BoundedCountPaginator, "count_limit", 5)
    queue.submit_many([Job(f"job-{i}", jobs.noop) for i in range(8)])

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse(CHANGELIST))

    assert "5+ jobs" in response.content.decode()
    job_table = JobRow._meta.db_table
    on_jobs = [q["sql"] for q in queries if job_table in q["sql"]]
    counts = [sql for sql in on_jobs if "COUNT(" in sql.upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)
    assert not [sql for sql in on_jobs if "DISTINCT" in sql.upper()]


def test_job_list_filters_by_status_queue_and_function(admin_client, ops):
    def names(**params) -> set[str]:
        response = admin_client.get(reverse(CHANGELIST), params)
        assert response.status_code == 200
        return {job.name for job in response.context["cl"].result_list}

    assert names(status__exact="failed") == {"upload", "resize-image"}
    assert names(queue="emails") == {"send-email-0", "send-email-1", "send-email-2"}
    assert names(function="tests.jobs.record") == {
        f"transform-{p}" for p in ("users", "orders", "stock")
    }


def test_queue_and_function_filters_offer_the_values_of_recent_jobs(admin_client, ops):
    response = admin_client.get(reverse(CHANGELIST))

    specs = {spec.title: spec for spec in response.context["cl"].filter_specs}
    assert [value for value, _ in specs["queue"].lookup_choices] == ["default", "emails"]
    assert "tests.jobs.fail" in [value for value, _ in specs["function"].lookup_choices]


def test_job_list_filters_by_date_range(admin_client, ops):
    today = timezone.localdate()
    params = {"created_at__range__gte": today.isoformat(), "created_at__range__lte": today}

    shown = admin_client.get(reverse(CHANGELIST), params).context["cl"].result_list
    tomorrow = {"started_at__range__gte": (today + timedelta(days=1)).isoformat()}
    later = admin_client.get(reverse(CHANGELIST), tomorrow).context["cl"].result_list

    assert len(shown) == JobRow.objects.count()
    assert list(later) == []


def test_searching_a_job_id_finds_that_job(admin_client, ops):
    response = admin_client.get(reverse(CHANGELIST), {"q": ops.resize.id})

    assert [job.name for job in response.context["cl"].result_list] == ["resize-image"]


# Actions.


def test_cancel_action_cancels_pending_jobs_and_says_which_it_skipped(admin_client, ops):
    response = post_action(admin_client, "cancel_selected", [*ops.emails[:2], ops.extract])

    assert [status(job) for job in ops.emails] == ["cancelled", "cancelled", "pending"]
    assert status(ops.extract) == JobStatus.COMPLETED
    cancelled, skipped = messages_of(response)
    assert cancelled in {
        "Cancelled 2 jobs: send-email-0, send-email-1.",
        "Cancelled 2 jobs: send-email-1, send-email-0.",
    }
    assert skipped == "Skipped 1 job, not pending: extract (completed)."
    assert LogEntry.objects.filter(object_id=ops.emails[0].id).exists()


def test_requeue_action_requeues_failed_jobs_and_explains_each_skip(admin_client, ops):
    response = post_action(admin_client, "requeue_selected", [ops.resize, ops.notify, ops.publish])

    assert status(ops.resize) == JobStatus.PENDING
    assert status(ops.notify) == JobStatus.CANCELLED
    assert set(messages_of(response)) == {
        "Requeued 1 job: resize-image.",
        "Skipped 1 job, waiting on a dependency that did not succeed (requeue that one "
        "first): notify (cancelled).",
        "Skipped 1 job, not failed, timed out or cancelled: publish (completed).",
    }


def test_requeueing_a_failed_dependency_reopens_its_cancelled_dependents(admin_client, ops):
    post_action(admin_client, "requeue_selected", [ops.upload])

    assert status(ops.upload) == JobStatus.PENDING
    assert status(ops.notify) == JobStatus.PENDING


def test_an_action_on_more_jobs_than_its_limit_changes_none(admin_client, ops, monkeypatch):
    monkeypatch.setattr(operations, "ACTION_LIMIT", 2)

    response = post_action(admin_client, "cancel_selected", ops.emails)

    assert [status(job) for job in ops.emails] == ["pending"] * 3
    assert "More than 2 jobs are selected" in messages_of(response)[0]


# The job's page.


def test_job_page_shows_params_error_traceback_runs_and_links(admin_client, ops):
    response = admin_client.get(reverse("admin:django_gigq_job_change", args=[ops.resize.id]))

    html = response.content.decode()
    assert "&quot;message&quot;: &quot;bad pixel&quot;" in html
    assert "ValueError: bad pixel" in html
    assert html.count('class="gigq-traceback"') == 2  # one per attempt
    assert "Requeue job" in html and "Cancel job" not in html


def test_progress_a_running_job_reports_shows_in_the_list_and_on_its_page(admin_client, queue):
    job_id = queue.submit(Job("import", jobs.report_progress_until_released, params={"key": "k"}))
    [run] = claim_jobs("worker-a", using="default")
    JobContext(run, "default").set_progress(0.4, "row 4,000 of 10,000")

    page = admin_client.get(reverse("admin:django_gigq_job_change", args=[job_id]))
    listing = admin_client.get(reverse(CHANGELIST))

    html = page.content.decode()
    assert '<progress max="100" value="40">' in html and "row 4,000 of 10,000" in html
    assert '<span class="gigq-progress-inline">40%</span>' in listing.content.decode()


def test_job_page_links_dependencies_dependents_and_workflow(admin_client, ops):
    response = admin_client.get(reverse("admin:django_gigq_job_change", args=[ops.publish.id]))

    html = response.content.decode()
    for job in (*ops.transforms, ops.notify):
        assert reverse("admin:django_gigq_job_change", args=[job.id]) in html
    assert reverse("admin:django_gigq_workflow_change", args=[ops.workflow.id]) in html


def test_job_page_fields_are_read_only(admin_client, ops):
    url = reverse("admin:django_gigq_job_change", args=[ops.emails[0].id])

    response = admin_client.post(url, {"status": "completed", "name": "renamed"})

    assert response.status_code == 403
    assert JobRow.objects.get(id=ops.emails[0].id).name == "send-email-0"
    assert 'name="status"' not in admin_client.get(url).content.decode()


def test_job_page_buttons_cancel_and_requeue_by_post_only(admin_client, ops):
    cancel = reverse("admin:django_gigq_job_cancel", args=[ops.emails[0].id])
    requeue = reverse("admin:django_gigq_job_requeue", args=[ops.resize.id])

    assert admin_client.get(cancel).status_code == 405
    response = admin_client.post(cancel, follow=True)
    admin_client.post(requeue)

    assert status(ops.emails[0]) == JobStatus.CANCELLED
    assert status(ops.resize) == JobStatus.PENDING
    assert messages_of(response) == ["Cancelled 1 job: send-email-0."]


# The workflow's page.


def test_workflow_page_draws_every_job_as_a_node_linking_to_it(admin_client, ops):
    url = reverse("admin:django_gigq_workflow_change", args=[ops.workflow.id])

    response = admin_client.get(url)

    svg = ET.fromstring(str(response.context["graph_svg"]))
    links = svg.findall("{http://www.w3.org/2000/svg}a")
    assert len(links) == 7
    assert reverse("admin:django_gigq_job_change", args=[ops.notify.id]) in {
        link.get("href") for link in links
    }
    counts = {status: n for status, _label, n in response.context["status_counts"]}
    assert counts == {
        **dict.fromkeys(JobStatus.values, 0),
        "completed": 5,
        "failed": 1,
        "cancelled": 1,
    }


def test_dependency_layers_follow_depth_and_survive_a_cycle():
    edges = [("b", "a"), ("c", "a"), ("d", "b"), ("d", "c"), ("x", "y"), ("y", "x")]

    layers = layer_nodes(["a", "b", "c", "d", "e", "x", "y"], edges)

    assert layers == [["a", "e"], ["b", "c"], ["d"], ["x", "y"]]


def test_an_arrow_that_skips_layers_runs_through_a_waypoint_in_each():
    layout = graph.lay_out(["a", "b", "c", "d"], [("b", "a"), ("c", "b"), ("d", "c"), ("d", "a")])

    assert [point.layer for point in layout.waypoints[("d", "a")]] == [1, 2]
    assert [len(layer) for layer in layout.layers] == [1, 2, 2, 1]


def test_layer_order_removes_crossings_the_input_order_has():
    edges = [("c", "a"), ("d", "b"), ("e", "a"), ("f", "b")]

    layers = layer_nodes(["a", "b", "d", "e", "c", "f"], edges)

    children = {"a": {"c", "e"}, "b": {"d", "f"}}
    first, second = layers[1][:2], layers[1][2:]
    assert {frozenset(first), frozenset(second)} == {
        frozenset(children["a"]),
        frozenset(children["b"]),
    }


def test_fifty_node_graph_is_valid_svg_with_one_arrow_per_dependency():
    nodes = [Node(i, f"job {i}", "pending", "Pending", f"/job/{i}/") for i in range(50)]
    edges = [(i, i // 2) for i in range(1, 50)]

    svg = ET.fromstring(str(dependency_graph_svg(nodes, edges)))

    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f"{ns}a")) == 50
    assert len(svg.findall(f"{ns}path")) == 49
    # A binary tree of 50 nodes is 7 layers deep, drawn left to right.
    assert svg.get("width") == str(2 * graph.PADDING + 7 * graph.NODE_WIDTH + 6 * graph.LAYER_GAP)


# The dashboard and the workers.


def test_dashboard_shows_counts_queues_throughput_durations_and_live_workers(admin_client, ops):
    register_worker("host-a:42:abcd", ["emails"], 4, using="default")

    response = admin_client.get(reverse(DASHBOARD))

    context = response.context
    counts = {status: n for status, _label, n in context["status_counts"]}
    assert counts["completed"] == 5 and counts["pending"] == 3 and context["total"] == 11
    assert [queue["name"] for queue in context["queues"]] == ["default", "emails"]
    assert context["queues"][1]["oldest_claimable"] != "–"
    chart = ET.fromstring(str(context["chart"]))
    assert len(chart.findall("{http://www.w3.org/2000/svg}g")) == 60
    assert "tests.jobs.record" in {row["function"] for row in context["durations"]}
    assert [row["worker"].pk for row in context["workers"]] == ["host-a:42:abcd"]


def test_dashboard_is_linked_from_the_app_index(admin_client):
    response = admin_client.get(reverse("admin:app_list", args=["django_gigq"]))

    assert reverse(DASHBOARD) in response.content.decode()


def test_dashboard_is_linked_from_the_admin_index_above_the_apps(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    link = html.index(f'href="{reverse(DASHBOARD)}"')
    assert link < html.index('id="content-main"')
    assert 'id="recent-actions-module"' in html  # the admin's own index is still all there


def test_worker_list_and_page_are_read_only(admin_client, db):
    register_worker("host-b:7:ffff", [], 2, using="default")

    listing = admin_client.get(reverse("admin:django_gigq_workerprocess_changelist"))
    page = admin_client.get(
        reverse("admin:django_gigq_workerprocess_change", args=["host-b:7:ffff"])
    )

    assert "host-b:7:ffff" in listing.content.decode()
    assert "gigq-status-worker-running" in page.content.decode()
    assert 'type="submit" value="Save"' not in page.content.decode()


# Small pieces.


def test_percentile_interpolates_between_ranks():
    assert percentile([], 0.5) is None
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile(list(range(101)), 0.95) == 95


def test_chart_axis_rounds_up_to_one_two_or_five():
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 12, 51)] == [1, 1, 5, 10, 20, 100]


def test_chart_draws_a_bar_per_minute_with_failures_stacked():
    now = timezone.now().replace(second=0, microsecond=0)
    buckets = [MinuteCounts(now - timedelta(minutes=2 - i), i, i % 2) for i in range(3)]

    svg = ET.fromstring(str(finished_per_minute_chart(buckets)))

    rects = svg.findall(".//{http://www.w3.org/2000/svg}rect")
    assert sum(r.get("class") == "gigq-status-failed" for r in rects) == 1 + 1  # bar + legend
