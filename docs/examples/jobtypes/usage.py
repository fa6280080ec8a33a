"""Submitting class-based jobs, and what their runs leave behind."""

import tempfile
from pathlib import Path

from django_gigq import Worker

folder = Path(tempfile.mkdtemp())
(folder / "in.txt").write_text("  Apples\n\nPEARS \n")
(folder / "prices.csv").write_text("fruit,price\napple,3\npear,4\n")

# --8<-- [start:submit]
from django_gigq import JobQueue

from .jobs import DataProcessingJob

job_id = DataProcessingJob.submit(
    input_file=str(folder / "in.txt"), output_file=str(folder / "out.txt")
)
# --8<-- [end:submit]

Worker(polling_interval=0, queues=["data"]).run(burst=True)  # `manage.py gigq_worker`

# --8<-- [start:result]
queue = JobQueue()
print(queue.get_status(job_id)["function"])
# docs.examples.jobtypes.jobs.DataProcessingJob
print(queue.get_result(job_id)["lines"])  # 2
# --8<-- [end:result]

# --8<-- [start:validation]
from .jobs import FileConversionJob  # noqa: E402

try:
    FileConversionJob.submit(source_file=str(folder / "prices.csv"), target_format="xml")
except ValueError as error:
    print(error)  # cannot convert .csv to xml; supported: ...
conversion = FileConversionJob.to_job(source_file=str(folder / "prices.csv"), target_format="json")
print(sorted(conversion.params))  # ['source_file', 'target_file']
conversion_id = queue.submit(conversion)
# --8<-- [end:validation]

Worker(polling_interval=0).run(burst=True)
print(queue.get_result(conversion_id)["rows"])  # 2

# --8<-- [start:prioritized]
from .jobs import RebuildSearchIndex  # noqa: E402

urgent = RebuildSearchIndex.to_job(category="critical", index="products")
print(urgent.priority)  # 100
try:
    RebuildSearchIndex.to_job(category="whenever", index="products")
except ValueError as error:
    print(error)  # unknown category 'whenever'; use one of ['critical', 'high', ...]
# --8<-- [end:prioritized]

# --8<-- [start:retries]
from datetime import datetime  # noqa: E402

from .jobs import CallFlakyApi, CallFlakyApiOnMyTerms  # noqa: E402

flaky_id = CallFlakyApi.submit(url="https://api.example.com/data")
mine_id = CallFlakyApiOnMyTerms.submit(url="https://api.example.com/data")
Worker(polling_interval=0).run(burst=True)  # one attempt each; the retries wait


def retry_wait(job_id):
    status = queue.get_status(job_id)
    run_after, updated_at = (datetime.fromisoformat(status[k]) for k in ("run_after", "updated_at"))
    return status["status"], status["attempts"], round((run_after - updated_at).total_seconds())


print(retry_wait(flaky_id))  # ('pending', 1, 2): about 2 s, with jitter
print(retry_wait(mine_id))  # ('pending', 1, 10)
# --8<-- [end:retries]

# --8<-- [start:send-email]
from .jobs import SendEmailJob  # noqa: E402

email_id = SendEmailJob.submit(to="ann@example.com", subject="Your order", body="Shipped!")
# --8<-- [end:send-email]

Worker(polling_interval=0, queues=["emails"]).run(burst=True)
print(queue.get_result(email_id))  # {'to': 'ann@example.com'}

# --8<-- [start:etl]
from .etl import EtlFactory  # noqa: E402

factory = EtlFactory(source="shop", destination="warehouse")
workflow = factory.workflow("daily sales", query="SELECT * FROM sales", rules=["sum_by_region"],
                            table="sales_by_region")
extract_id, transform_id, load_id = workflow.submit_all(queue)
# --8<-- [end:etl]

Worker(polling_interval=0, queues=["etl"]).run(burst=True)

# --8<-- [start:etl-results]
print(queue.get_result(transform_id)["totals"])  # {'north': 15.5, 'south': 7.25}
print(queue.get_result(load_id))  # {'table': 'warehouse.sales_by_region', 'rows_loaded': 2}
# --8<-- [end:etl-results]
