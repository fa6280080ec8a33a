"""A dependency that fails cancels the jobs waiting on it; requeueing it re-opens them."""

import tempfile
from pathlib import Path

import django_gigq

# --8<-- [start:failure]
from django_gigq import Job, JobQueue

from .jobs import import_orders, publish, transform

inbox = Path(tempfile.mkdtemp())  # where the shop drops its export, some day
queue = JobQueue()
path = f"{inbox}/orders.json"
orders = Job("import orders", import_orders, params={"path": path}, max_attempts=1)
totals = Job("transform", transform, dependencies=[orders])
report = Job("report", publish, params={"channel": "#sales"}, dependencies=[totals])
queue.submit_many([orders, totals, report])
# --8<-- [end:failure]

django_gigq.Worker(polling_interval=0).run(burst=True)  # what `manage.py gigq_worker` does

# --8<-- [start:cancelled]
print(queue.get_status(orders.id)["status"])  # failed
status = queue.get_status(report.id)
print(status["status"])  # cancelled
print(status["error"])
# cancelled because dependency ... (import orders) ended failed
# --8<-- [end:cancelled]

# --8<-- [start:requeue]
(inbox / "orders.json").write_text("[12.5, 30.0]")  # the file arrives

print(queue.requeue_job(orders.id))  # True
print(queue.get_status(report.id)["status"])  # pending
# --8<-- [end:requeue]

django_gigq.Worker(polling_interval=0).run(burst=True)  # what `manage.py gigq_worker` does

# --8<-- [start:rerun]
print(queue.get_result(report.id))  # #sales: 2 orders, 42.50 EUR
# --8<-- [end:rerun]
