"""Ready-made job types for Django projects: send an email, call a command, make a request.

Each is a ``JobType``: submit it as it is (``SendEmail.submit(...)``), or subclass it to
change its options (queue, attempts, retry policy) or, for ``CallCommand``, to say which
commands may run.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from io import StringIO
from typing import Any, ClassVar

from .exceptions import UnrunnableJob
from .job_types import JobType

#: HTTP statuses that may succeed when asked again (timeouts, rate limits).
RETRYABLE_CLIENT_ERRORS = frozenset({408, 425, 429})
#: The most of a response body or a command's output kept in the job's result.
MAX_OUTPUT_CHARS = 10_000


class SendEmail(JobType):
    """Send one email through Django's email backend (``EMAIL_BACKEND``).

    Retried with exponential backoff when the backend raises (an SMTP server that is
    down); the result is ``{"sent": 1}``.
    """

    max_attempts = 5
    retry_delay = 30
    retry_backoff = "exponential"

    def __init__(
        self,
        subject: str,
        message: str,
        recipient_list: Sequence[str],
        from_email: str | None = None,
        html_message: str | None = None,
        cc: Sequence[str] = (),
        bcc: Sequence[str] = (),
        reply_to: Sequence[str] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        for name, addresses in (("recipient_list", recipient_list), ("cc", cc), ("bcc", bcc)):
            if isinstance(addresses, str):
                raise TypeError(f"{name} must be a list of addresses, not the string {addresses!r}")
        if not (recipient_list or cc or bcc):
            raise ValueError("an email needs at least one recipient (recipient_list, cc or bcc)")
        self.subject = subject
        self.message = message
        self.recipient_list = list(recipient_list)
        self.from_email = from_email
        self.html_message = html_message
        self.cc = list(cc)
        self.bcc = list(bcc)
        self.reply_to = list(reply_to)
        self.headers = dict(headers or {})

    def run(self) -> dict[str, int]:
        """Send the email through Django's email backend; return ``{"sent": 1}``."""
        from django.core.mail import EmailMultiAlternatives

        email = EmailMultiAlternatives(
            subject=self.subject,
            body=self.message,
            from_email=self.from_email,
            to=self.recipient_list,
            cc=self.cc,
            bcc=self.bcc,
            reply_to=self.reply_to,
            headers=self.headers,
        )
        if self.html_message:
            email.attach_alternative(self.html_message, "text/html")
        return {"sent": email.send()}


class CallCommand(JobType):
    """Run a management command, as ``call_command(command, *args, **options)``.

    A job row names the command, so whoever can write jobs could otherwise run ``flush``:
    only the commands listed in ``allowed_commands`` run. Subclass it in your project:

    ```python
    class Maintenance(CallCommand):
        allowed_commands = ("clearsessions", "rebuild_index")

    Maintenance.submit(command="clearsessions")
    ```

    The result is ``{"output": ...}``: what the command wrote to stdout (its end, when
    long). A ``CommandError`` fails the job at once: running it again would not help.
    """

    allowed_commands: ClassVar[tuple[str, ...]] = ()
    max_attempts = 1
    timeout = 3600

    def __init__(
        self, command: str, args: Sequence[str] = (), options: dict[str, Any] | None = None
    ) -> None:
        self.command = command
        self.args = [str(arg) for arg in args]
        self.options = dict(options or {})
        self._check_allowed(ValueError)

    def run(self) -> dict[str, str]:
        """Run the command, if it is still allowed; return the end of its output."""
        from django.core.management import CommandError, call_command

        self._check_allowed(UnrunnableJob)  # the row may have been edited since submit
        stdout = StringIO()
        try:
            call_command(self.command, *self.args, **self.options, stdout=stdout)
        except CommandError as exc:
            raise UnrunnableJob(f"{self.command}: {exc}") from exc
        return {"output": stdout.getvalue()[-MAX_OUTPUT_CHARS:]}

    def _check_allowed(self, error: type[Exception]) -> None:
        if self.command not in type(self).allowed_commands:
            allowed = ", ".join(type(self).allowed_commands) or "none"
            raise error(
                f"command {self.command!r} is not in {type(self).__qualname__}.allowed_commands "
                f"({allowed}); subclass CallCommand and list the commands it may run"
            )


class HttpRequest(JobType):
    """Make an HTTP request with the standard library (``urllib``).

    ``json`` is sent as a JSON body (``data`` as text otherwise). A 2xx response succeeds
    with ``{"status": ..., "headers": {...}, "body": "..."}``; 5xx responses, 408, 425,
    429 and network errors are retried (exponential backoff); other 4xx responses fail at
    once, as asking again would get the same answer.
    """

    max_attempts = 5
    retry_delay = 5
    retry_backoff = "exponential"
    timeout = 120

    def __init__(
        self,
        url: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        data: str | None = None,
        json: Any = None,
        request_timeout: float = 30,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https://; got {url!r}")
        if data is not None and json is not None:
            raise ValueError("pass data or json, not both")
        self.url = url
        self.method = method.upper()
        self.headers = dict(headers or {})
        self.data = data
        self.json = json
        self.request_timeout = request_timeout

    def run(self) -> dict[str, Any]:
        """Make the request; return the response's status, headers and body."""
        body, headers = self._body()
        request = urllib.request.Request(self.url, data=body, headers=headers, method=self.method)
        try:
            with urllib.request.urlopen(request, timeout=self.request_timeout) as response:
                return self._result(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            message = f"{self.method} {self.url} answered {exc.code} {exc.reason}"
            if 400 <= exc.code < 500 and exc.code not in RETRYABLE_CLIENT_ERRORS:
                raise UnrunnableJob(message) from exc
            raise ConnectionError(message) from exc

    def _body(self) -> tuple[bytes | None, dict[str, str]]:
        headers = dict(self.headers)
        if self.json is not None:
            headers.setdefault("Content-Type", "application/json")
            return json.dumps(self.json).encode(), headers
        if self.data is not None:
            return self.data.encode(), headers
        return None, headers

    def _result(self, status: int, headers: Any, raw: bytes) -> dict[str, Any]:
        body = raw.decode(headers.get_content_charset() or "utf-8", errors="replace")
        return {"status": status, "headers": dict(headers.items()), "body": body[:MAX_OUTPUT_CHARS]}
