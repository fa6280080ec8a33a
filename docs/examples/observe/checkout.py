"""A view's code that enqueues a job inside a traced request."""

from opentelemetry import trace

from django_gigq import Job, JobQueue
from docs.examples.observe.jobs import send_receipt

# --8<-- [start:checkout]
tracer = trace.get_tracer("shop")

# Django's instrumentation (opentelemetry-instrumentation-django) opens a span like this
# one for each request; a span of your own works the same.
with tracer.start_as_current_span("POST /checkout"):
    job_id = JobQueue().submit(Job("receipt", send_receipt, params={"order_id": 42}))

# The job's row keeps the W3C context of the span "submit ...send_receipt", a child of
# "POST /checkout"; the worker's run span "run ...send_receipt" continues it.
# --8<-- [end:checkout]
