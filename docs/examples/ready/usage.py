"""The ready-made job types: email, management commands, HTTP requests."""

from django_gigq import Worker

# --8<-- [start:email]
from django_gigq.common_jobs import SendEmail

email_id = SendEmail.submit(
    subject="Your invoice",
    message="Find it attached.",
    html_message="<p>Find it <b>attached</b>.</p>",
    recipient_list=["ann@example.com"],
)
# --8<-- [end:email]

# --8<-- [start:command]
from .jobs import Housekeeping  # noqa: E402

sessions_id = Housekeeping.submit(command="clearsessions")
try:
    Housekeeping.submit(command="flush")
except ValueError as error:
    print(error)
    # command 'flush' is not in Housekeeping.allowed_commands (clearsessions, check); ...
# --8<-- [end:command]

# --8<-- [start:http]
from django_gigq.common_jobs import HttpRequest  # noqa: E402

hook = HttpRequest.to_job(
    url="https://hooks.example.com/orders", method="POST", json={"order": 7, "paid": True}
)
print(hook.max_attempts, hook.retry_backoff)  # 5 exponential
# --8<-- [end:http]

Worker(polling_interval=0).run(burst=True)  # `manage.py gigq_worker`

# --8<-- [start:results]
from django_gigq import JobQueue  # noqa: E402

queue = JobQueue()
print(queue.get_result(email_id))  # {'sent': 1}
print(queue.get_status(sessions_id)["status"])  # completed
# --8<-- [end:results]
