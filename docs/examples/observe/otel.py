"""Configuring OpenTelemetry's SDK in a project: every process, workers' children included."""

# --8<-- [start:configure]
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def configure_tracing(exporter, service_name="shop"):
    """Send this process's spans to ``exporter``: an ``OTLPSpanExporter()`` in production."""
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)


# --8<-- [end:configure]
