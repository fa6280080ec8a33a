"""Job functions decorated with ``@task``."""

# --8<-- [start:decorate]
from django_gigq import task


@task
def add(a, b):
    return a + b


@task(queue="mail", priority=5, retry_delay=30, retry_backoff="exponential")
def send_welcome_email(user_id):
    # ... render and send the email ...
    return {"user_id": user_id, "sent": True}
    # --8<-- [end:decorate]
