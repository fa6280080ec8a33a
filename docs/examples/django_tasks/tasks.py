"""Tasks for the django.tasks guide: plain functions decorated with Django's @task."""

# --8<-- [start:tasks]
from django.tasks import task


@task
def send_welcome(email: str) -> str:
    # ... send the message ...
    return f"welcome sent to {email}"


@task(queue_name="emails", priority=10)
def send_invoice(invoice_id: int) -> dict:
    return {"invoice": invoice_id, "sent": True}


@task
def import_feed(url: str) -> int:
    raise ConnectionError(f"{url} did not answer")


@task(takes_context=True)
def rebuild_index(context, section: str) -> dict:
    # context.attempt is 1 on the first run, 2 on the first retry...
    return {"section": section, "attempt": context.attempt}


# --8<-- [end:tasks]
