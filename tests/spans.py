"""OpenTelemetry for test processes: spans as JSON lines, and a script that traces a job.

Worker processes started by tests with ``GIGQ_TEST_SPANS_FILE`` set configure the SDK in
their settings (tests/settings.py) to append every span they end to that file, so a test
can read the spans of the worker's child processes. ``python -m tests.spans`` runs the
documentation's tracing example in a process of its own (a tracer provider is set once
per process) and prints the spans as JSON.
"""

import json
import sys

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult


def describe(span: ReadableSpan) -> dict:
    """Return what the tests check of a span, as JSON values."""
    return {
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": f"{span.context.trace_id:032x}",
        "span_id": f"{span.context.span_id:016x}",
        "parent_id": f"{span.parent.span_id:016x}" if span.parent else None,
        "attributes": dict(span.attributes),
        "status": span.status.status_code.name,
        "events": [{"name": e.name, **dict(e.attributes)} for e in span.events],
        "service": span.resource.attributes.get("service.name"),
    }


class FileExporter(SpanExporter):
    """Append each span to a file as a line of JSON; processes may share the file."""

    def __init__(self, path: str) -> None:
        self.path = path

    def export(self, spans) -> SpanExportResult:
        lines = "".join(json.dumps(describe(span)) + "\n" for span in spans)
        with open(self.path, "a") as file:
            file.write(lines)
        return SpanExportResult.SUCCESS


def read_spans(path) -> list[dict]:
    try:
        with open(path) as file:
            return [json.loads(line) for line in file]
    except FileNotFoundError:
        return []


def main() -> None:
    import django

    django.setup()
    from opentelemetry import trace
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from django_gigq import Worker
    from docs.examples.observe.otel import configure_tracing

    exporter = InMemorySpanExporter()
    configure_tracing(exporter, service_name="checkout-test")
    import docs.examples.observe.checkout as checkout

    worker = Worker(polling_interval=0, queues=sys.argv[1:] or None)
    while worker.process_one():
        pass
    trace.get_tracer_provider().force_flush()
    print(
        json.dumps(
            {
                "job_id": checkout.job_id,
                "spans": [describe(s) for s in exporter.get_finished_spans()],
            }
        )
    )


if __name__ == "__main__":
    main()
