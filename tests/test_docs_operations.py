"""The Operations pages' examples (pausing queues, health checks) run as the pages say."""

from __future__ import annotations

import re
import runpy
import shlex
import threading
from datetime import timedelta
from io import StringIO
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.urls import resolve
from django.utils import timezone

from django_gigq import Job, JobQueue, JobStatus
from django_gigq import conf as gigq_conf
from django_gigq.models import Job as JobRow
from django_gigq.worker.heartbeat import register_worker
from tests.test_docs_examples import allow_docs_examples, run_example  # noqa: F401 - fixture

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples" / "operations"


def manage_py_lines(filename: str) -> list[list[str]]:
    """Return the arguments of each ``python manage.py ...`` line of an example."""
    lines = []
    for line in (EXAMPLES / filename).read_text().splitlines():
        words = shlex.split(line, comments=True)
        if words:
            assert words[:2] == ["python", "manage.py"], line
            lines.append(words[2:])
    return lines


def test_pausing_example_holds_the_queue_until_it_is_resumed(db, capsys):
    example = run_example("operations.pausing", capsys)
    queue = example["queue"]

    assert queue.get_status(example["newsletter"])["status"] == JobStatus.COMPLETED
    assert queue.paused_queues() == []


def test_pausing_command_lines_pause_list_and_resume(queue):
    queue.submit(Job("newsletter", "docs.examples.operations.jobs.send_newsletter",
                     params={"issue": 7}, queue="mail"))  # fmt: skip
    printed = []
    for args in manage_py_lines("pausing.sh"):
        out = StringIO()
        call_command(*args, stdout=out)
        printed.append(out.getvalue())
        if args[:2] == ["gigq", "pause"]:
            assert [row["queue"] for row in queue.paused_queues()] == ["mail"]

    assert "the mail provider is down" in printed[1]  # gigq paused
    assert "Paused queues (no worker claims their jobs): mail" in printed[2]  # gigq stats
    assert queue.paused_queues() == []


def test_health_command_lines_pass_on_a_healthy_system(queue):
    register_worker("host:1:a", [], 1, using="default")
    queue.submit(Job("thumbnail", "docs.examples.operations.jobs.resize_image",
                     params={"name": "a.png"}))  # fmt: skip
    for args in manage_py_lines("health.sh"):
        out = StringIO()
        call_command(*args, stdout=out)
        assert "ok: 1 live worker" in out.getvalue()


def shape(line: str) -> str:
    return re.sub(r"\d+", "N", line)


def test_health_page_shows_the_commands_own_words(queue):
    page = (EXAMPLES.parent.parent / "operations" / "health.md").read_text()
    shown_ok = re.search(r"^ok: .*$", page, re.MULTILINE).group(0)
    shown_error = re.search(r"^CommandError: (.*)$", page, re.MULTILINE).group(1)
    register_worker("host:1:a", [], 1, using="default")
    register_worker("host:2:b", [], 1, using="default")
    queue.submit_many([Job(f"n{i}", "docs.examples.operations.jobs.resize_image",
                           params={"name": "x"}, queue=["default", "images"][i % 2])
                       for i in range(14)])  # fmt: skip
    queue.pause("mail")
    out = StringIO()

    call_command("gigq", "health", stdout=out)

    assert shape(out.getvalue().strip()) == shape(shown_ok)
    late = queue.submit(Job("late", "docs.examples.operations.jobs.resize_image",
                            params={"name": "y"}, queue="reports"))  # fmt: skip
    then = timezone.now() - timedelta(seconds=412)
    JobRow.objects.filter(id=late).update(run_after=then, updated_at=then)
    with pytest.raises(CommandError) as raised:
        call_command("gigq", "health", "--max-age", "60", stdout=StringIO())
    assert shape(str(raised.value)) == shape(shown_error)


def test_kubernetes_probe_runs_a_valid_gigq_health_command(queue):
    text = (EXAMPLES / "kubernetes.yaml").read_text()
    probe = re.search(r"exec:\s*\n\s*command: (\[.*\])", text).group(1)
    words = [word.strip(' "') for word in probe.strip("[]").split(",")]
    assert words[:4] == ["python", "manage.py", "gigq", "health"]
    register_worker("host:1:a", [], 1, using="default")

    out = StringIO()
    call_command(*words[2:], stdout=out)

    assert out.getvalue().startswith("ok:")
    grace = int(re.search(r"terminationGracePeriodSeconds: (\d+)", text).group(1))
    parser = load_command_class("django_gigq", "gigq_worker").create_parser("manage.py", "x")
    worker = re.search(r'command: \["python", "manage.py", "gigq_worker"(.*)\]', text).group(1)
    options = parser.parse_args([w.strip(' "') for w in worker.split(",") if w.strip()])
    assert grace > (options.shutdown_timeout or gigq_conf.DEFAULT_SHUTDOWN_TIMEOUT)


def test_urls_example_mounts_the_health_view(settings):
    namespace = runpy.run_path(str(EXAMPLES / "urls.py"))
    module = type("urls", (), {"urlpatterns": namespace["urlpatterns"]})
    settings.ROOT_URLCONF = module

    match = resolve("/gigq/health/")

    assert match.view_name == "django_gigq:health"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def site_url(transactional_db, settings):
    """Serve the test project over HTTP on 127.0.0.1 (a thread); return its base URL."""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_probe_example_reads_healthy_and_unhealthy_answers(site_url):
    from docs.examples.operations.probe import jobs_health

    url = f"{site_url}/gigq/health/"
    assert jobs_health(url) == (True, "ok: 0 live workers, no claimable jobs")

    JobQueue().submit(Job("waiting", "docs.examples.operations.jobs.resize_image",
                          params={"name": "b.png"}))  # fmt: skip

    healthy, reason = jobs_health(url)
    assert not healthy
    assert reason == "queue default: 1 job claimable and no live worker serves it"
    assert JobRow.objects.count() == 1
