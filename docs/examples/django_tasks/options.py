"""Per-task job options on Django 6.1+: @task hands extra keywords to GigQTask."""

# --8<-- [start:options]
from django.tasks import task


@task(timeout=30, max_attempts=1)
def charge_card(order_id: int) -> str:
    return f"charged order {order_id}"


@task(max_attempts=8, retry_delay=5, retry_backoff="exponential", retry_max_delay=300)
def sync_crm(contact_id: int) -> str:
    return f"synced contact {contact_id}"


# --8<-- [end:options]
