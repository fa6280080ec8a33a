"""The admin driven in headless Chromium, as an operator would: filter, act, read, look.

Needs Debian's ``chromium`` (``apt-get install chromium``) and the ``playwright`` package;
never ``playwright install``, which downloads a browser of its own. Screenshots of the
pages land in ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from django_gigq import Job, JobContext, JobStatus, Workflow
from django_gigq.claim import claim_jobs
from django_gigq.models import Job as JobRow
from django_gigq.worker.heartbeat import register_worker
from tests import jobs
from tests.test_admin import make_ops_data

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
JOBS = "/admin/django_gigq/job/"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: apt-get install -y chromium (browser tests)",
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="the playwright package is missing: pip install -e '.[test]' (browser tests)",
    ),
]


@pytest.fixture(scope="session", autouse=True)
def static_files(tmp_path_factory):
    """Let the live server serve the apps' CSS and JS, laid out as collectstatic would.

    The test settings set no ``STATIC_URL``, and the live server reads it once, when it
    starts; so this session fixture, which pytest runs before ``live_server``, sets it and
    a ``STATIC_ROOT`` of links to each app's ``static`` folder until the session ends.
    """
    root = tmp_path_factory.mktemp("static")
    for app in apps.get_app_configs():
        folder = Path(app.path) / "static"
        for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
            if not (root / entry.name).exists():
                (root / entry.name).symlink_to(entry)
    with override_settings(STATIC_URL="/static/", STATIC_ROOT=str(root)):
        yield root


@pytest.fixture
def page(live_server, monkeypatch, tmp_path):
    """A Chromium page on the live server, with a fresh profile."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between page actions are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=live_server.url,
            viewport={"width": 1440, "height": 900},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(20_000)
            yield page
        finally:
            context.close()
            # Inside sync_playwright, Django's connections are other objects (they are
            # context-local, and Playwright switches greenlets): close the ones the test
            # opened here, or PostgreSQL refuses to drop the test database at the end.
            connections.close_all()


@pytest.fixture
def ops(queue, drain):
    return make_ops_data(queue, drain)


@pytest.fixture
def operator(page, admin_user):
    """Log in through the admin's login form; return the page."""
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


def screenshot(page, name: str, selector: str | None = None) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"admin-{name}.png"
    if selector:
        page.locator(selector).screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=True)


def shown_names(page) -> set[str]:
    return set(page.locator("#result_list tbody th.field-name a").all_inner_texts())


def status(job: Job) -> str:
    return JobRow.objects.get(id=job.id).status


def run_action(page, action: str) -> None:
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")
    page.wait_for_selector("ul.messagelist")


def test_operator_filters_the_job_list_by_status_and_by_date_range(operator, ops):
    page = operator
    page.goto(JOBS)
    page.click("#toggle-nav-sidebar")  # as an operator would, to see every column
    screenshot(page, "job-list")
    assert len(shown_names(page)) == 11

    page.locator('details[data-filter-title="status"] a', has_text="Failed").click()
    page.wait_for_url("**status__exact=failed**")
    assert shown_names(page) == {"upload", "resize-image"}

    page.goto(JOBS)
    created = page.locator('details[data-filter-title="created at"]')
    today = timezone.localdate().isoformat()
    created.locator('input[name="created_at__range__gte"]').fill(today)
    created.locator('input[name="created_at__range__lte"]').fill(today)
    created.locator('input[type="submit"]').click()
    page.wait_for_url("**created_at__range__gte=**")
    assert len(shown_names(page)) == 11

    started = page.locator('details[data-filter-title="started at"]')
    started.locator('input[name="started_at__range__gte"]').fill("2000-01-01")
    started.locator('input[name="started_at__range__lte"]').fill("2000-12-31")
    started.locator('input[type="submit"]').click()
    page.wait_for_url("**started_at__range__lte=**")
    assert shown_names(page) == set()


def test_operator_cancels_and_requeues_selected_jobs(operator, ops):
    page = operator
    page.goto(f"{JOBS}?queue=emails")
    for job in ops.emails[:2]:
        page.locator("tr", has_text=job.name).locator("input.action-select").check()
    run_action(page, "cancel_selected")

    assert "Cancelled 2 jobs" in page.inner_text("ul.messagelist")
    assert [status(job) for job in ops.emails] == ["cancelled", "cancelled", "pending"]

    page.goto(f"{JOBS}?status__exact=failed")
    page.check("#action-toggle")
    run_action(page, "requeue_selected")

    assert "Requeued 2 jobs" in page.inner_text("ul.messagelist")
    assert status(ops.resize) == status(ops.upload) == JobStatus.PENDING
    # The dependent that upload's failure cancelled is open again.
    assert status(ops.notify) == JobStatus.PENDING


def test_operator_reads_a_job_page_and_requeues_it_with_its_button(operator, ops):
    page = operator
    page.goto(f"{JOBS}{ops.resize.id}/change/")

    assert '"message": "bad pixel"' in page.inner_text(".field-params_json")
    assert page.locator(".field-error_and_traceback details").count() == 2
    page.locator(".field-error_and_traceback summary").first.click()
    assert "ValueError: bad pixel" in page.inner_text(".field-error_and_traceback")
    screenshot(page, "job-page")

    page.click("button.gigq-requeue-button")
    page.wait_for_selector("ul.messagelist")

    assert "Requeued 1 job: resize-image" in page.inner_text("ul.messagelist")
    assert status(ops.resize) == JobStatus.PENDING
    assert page.locator("button.gigq-requeue-button").count() == 0
    assert page.locator("button.gigq-cancel-button").count() == 1


def test_operator_sees_a_running_jobs_progress_and_cancels_it(operator, ops, queue):
    page = operator
    job_id = queue.submit(Job("import contacts", jobs.report_progress_until_released,
                              params={"key": "never"}, queue="imports"))  # fmt: skip
    [run] = claim_jobs("worker-a", queues=["imports"], using="default")
    JobContext(run, "default").set_progress(0.62, "6,200 of 10,000 rows")

    page.goto(f"{JOBS}?status__exact=running")
    assert "62%" in page.inner_text("#result_list")
    page.goto(f"{JOBS}{job_id}/change/")
    assert page.locator(".field-progress_bar progress").get_attribute("value") == "62"
    assert "6,200 of 10,000 rows" in page.inner_text(".field-progress_bar")
    screenshot(page, "job-page-running")

    page.click("button.gigq-cancel-button")
    page.wait_for_selector("ul.messagelist")

    assert "Asked the workers of 1 job to stop it" in page.inner_text("ul.messagelist")
    assert JobRow.objects.get(id=job_id).cancel_requested_at is not None
    assert page.locator("button.gigq-cancel-button").count() == 0  # asked once


def test_workflow_page_draws_the_graph_and_its_nodes_open_the_jobs(operator, ops):
    page = operator
    page.goto(f"/admin/django_gigq/workflow/{ops.workflow.id}/change/")

    nodes = page.locator("svg.gigq-graph a.gigq-node")
    assert nodes.count() == 7
    assert page.inner_text('.gigq-status-counts strong[data-status="completed"]') == "5"
    screenshot(page, "workflow-page")

    page.locator(f'svg.gigq-graph a[data-job-id="{ops.notify.id}"]').click()
    page.wait_for_url(f"**/job/{ops.notify.id}/change/")
    assert "notify" in page.inner_text(".field-name")


def test_a_fifty_job_workflow_graph_stays_readable(operator, queue, drain):
    page = operator
    flow = fifty_job_workflow()
    flow.submit_all(queue)
    drain()

    page.set_viewport_size({"width": 1700, "height": 1000})
    page.goto(f"/admin/django_gigq/workflow/{flow.id}/change/")

    assert page.locator("svg.gigq-graph a.gigq-node").count() == 50
    graph = page.locator("svg.gigq-graph").bounding_box()
    assert graph["width"] < 1600  # five layers, left to right
    screenshot(page, "workflow-graph-50", "svg.gigq-graph")


def fifty_job_workflow() -> Workflow:
    """A fan-out / fan-in of 50 jobs in five layers, one branch of which fails."""
    flow = Workflow("ingest-50")
    fetch = flow.add_job(Job("fetch-index", jobs.noop))
    downloads = [
        flow.add_job(
            Job(f"download-{i}", jobs.fail if i == 4 else jobs.noop, max_attempts=1), [fetch]
        )
        for i in range(6)
    ]
    parses = [
        flow.add_job(Job(f"parse-{i}-{j}", jobs.noop), [download])
        for i, download in enumerate(downloads)
        for j in range(3)
    ]
    thumbnails = [
        flow.add_job(Job(f"thumbnail-{parse.name[6:]}", jobs.noop), [parse]) for parse in parses
    ]
    aggregates = [
        flow.add_job(Job(f"aggregate-{k}", jobs.noop), [parses[k], parses[k + 6], parses[k + 12]])
        for k in range(6)
    ]
    flow.add_job(Job("publish-report", jobs.noop), aggregates)
    assert len(flow.jobs) == 1 + 6 + 18 + 18 + 6 + 1 == 50
    assert thumbnails
    return flow


def test_dashboard_shows_the_state_of_the_system(operator, ops):
    page = operator
    register_worker("web-1:4242:cafe", ["default", "emails"], 4, using="default")
    # The operator logged in to the admin's index: the dashboard is one click away.
    screenshot(page, "index")
    page.click(".gigq-index-link a.gigq-button")
    page.wait_for_url("**/job/dashboard/")

    assert page.inner_text('#gigq-status strong[data-status="failed"]') == "2"
    assert page.locator("#gigq-throughput svg.gigq-chart g").count() == 60
    assert "tests.jobs.record" in page.inner_text("#gigq-durations")
    assert "web-1:4242:cafe" in page.inner_text("#gigq-workers")
    assert "emails" in page.inner_text("#gigq-queues")
    screenshot(page, "dashboard")

    page.goto(JOBS)
    page.click("a.gigq-dashboard-tool")
    page.wait_for_url("**/job/dashboard/")
    page.goto("/admin/django_gigq/")
    page.click("a.gigq-button")
    page.wait_for_url("**/job/dashboard/")


def test_worker_list_shows_each_worker_read_only(operator, db):
    page = operator
    register_worker("web-2:77:beef", [], 2, using="default")

    page.goto("/admin/django_gigq/workerprocess/")

    assert "web-2:77:beef" in page.inner_text("#result_list")
    assert page.locator(".object-tools a.addlink").count() == 0


def test_operator_pauses_a_queue_from_the_dashboard_and_resumes_it(operator, ops, queue):
    page = operator
    page.goto(f"{JOBS}dashboard/")
    emails = page.locator("#gigq-queues tr", has_text="emails")

    emails.locator("input[name=reason]").fill("mail provider down")
    emails.locator("button", has_text="Pause").click()
    page.wait_for_url("**/job/dashboard/")

    assert "Paused queue emails" in page.inner_text("ul.messagelist")
    assert "mail provider down" in emails.inner_text()
    assert [row["queue"] for row in queue.paused_queues()] == ["emails"]
    screenshot(page, "dashboard-paused", "#gigq-queues")

    emails.locator("button", has_text="Resume").click()
    page.wait_for_url("**/job/dashboard/")

    assert "Resumed queue emails" in page.inner_text("ul.messagelist")
    assert queue.paused_queues() == []
