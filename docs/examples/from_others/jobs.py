"""Job functions for the "Coming from Celery / django-tasks-db / django-q2" page."""

# --8<-- [start:functions]
from django_gigq import task


# Celery: @shared_task(queue="images", time_limit=120)
@task(queue="images", timeout=120)
def resize_image(photo_id):
    # ... open, resize and save the photo ...
    return f"thumbnails/{photo_id}.jpg"


# Celery: @shared_task(autoretry_for=(Exception,), max_retries=3,
#                      retry_backoff=10)
@task(
    max_attempts=4,  # runs in all: the first and three retries
    retry_delay=10,
    retry_backoff="exponential",
    retry_max_delay=600,
)
def charge_card(order_id):
    # ... call the payment provider; any exception is retried ...
    return {"order_id": order_id, "charged": True}


@task
def fetch_page(url):
    # ... download the page (kept offline here) ...
    return f"the page at {url} has seven words"


@task
def count_words(parent_results):
    # The results of the jobs this one depends on: {job id: result}.
    return sum(len(text.split()) for text in parent_results.values())


@task
def summarize(parent_results):
    return sorted(parent_results.values())
    # --8<-- [end:functions]
