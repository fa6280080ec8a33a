"""Ready-made job types: email through Django's backend, management commands, HTTP."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from django_gigq import JobStatus
from django_gigq.common_jobs import CallCommand, HttpRequest, SendEmail
from django_gigq.models import Job as JobRow
from tests.job_types import Commands

pytestmark = pytest.mark.django_db


def test_send_email_goes_through_the_email_backend(queue, drain):
    job_id = SendEmail.submit(
        subject="Hello", message="Plain", html_message="<b>Rich</b>",
        recipient_list=["ann@example.com"], from_email="app@example.com",
    )  # fmt: skip
    drain()
    assert queue.get_result(job_id) == {"sent": 1}
    (email,) = mail.outbox
    assert (email.subject, email.to, email.from_email) == ("Hello", ["ann@example.com"],
                                                           "app@example.com")  # fmt: skip
    assert email.alternatives[0].content == "<b>Rich</b>"


def test_send_email_refuses_a_string_as_recipients():
    with pytest.raises(TypeError, match="must be a list of addresses"):
        SendEmail.to_job(subject="x", message="y", recipient_list="ann@example.com")


def test_call_command_runs_only_the_allowed_commands(queue, drain):
    with pytest.raises(ValueError, match="not in CallCommand.allowed_commands"):
        CallCommand.to_job(command="flush")
    job_id = Commands.submit(command="gigq", args=["stats"])
    drain()
    assert "pending" in queue.get_result(job_id)["output"]
    edited = Commands.submit(command="check")
    JobRow.objects.filter(id=edited).update(params={"command": "flush", "args": [], "options": {}})
    drain()
    status = queue.get_status(edited)
    assert status["status"] == JobStatus.FAILED and status["attempts"] == 1
    assert "'flush' is not in Commands.allowed_commands" in status["error"]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = 200 if self.path == "/ok" else int(self.path.strip("/"))
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.end_headers()
        self.wfile.write(json.dumps({"got": json.loads(body)}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_http_request_posts_json_and_keeps_the_response(queue, drain, server):
    job_id = HttpRequest.submit(url=f"{server}/ok", method="post", json={"n": 1})
    drain()
    result = queue.get_result(job_id)
    assert result["status"] == 200
    assert json.loads(result["body"]) == {"got": {"n": 1}}


def test_http_client_errors_fail_at_once_and_server_errors_retry(queue, drain, server):
    client = HttpRequest.submit(url=f"{server}/404", method="POST", json={})
    busy = HttpRequest.submit(url=f"{server}/503", method="POST", json={})
    drain()
    assert queue.get_status(client)["status"] == JobStatus.FAILED
    assert queue.get_status(client)["attempts"] == 1
    retrying = queue.get_status(busy)
    assert (retrying["status"], retrying["attempts"]) == (JobStatus.PENDING, 1)
    assert "answered 503" in retrying["error"]
