"""A workflow: jobs with dependencies, submitted together, results passed along."""

import django_gigq

# --8<-- [start:workflow]
from django_gigq import Job, JobQueue, Workflow

from .jobs import extract, publish, transform

workflow = Workflow("daily sales")
web = workflow.add_job(Job("web orders", extract, params={"source": "web"}))
store = workflow.add_job(Job("store orders", extract, params={"source": "store"}))
totals = workflow.add_job(Job("transform", transform), depends_on=[web, store])
report = workflow.add_task(publish, {"channel": "#sales"}, depends_on=[totals])

queue = JobQueue()
ids = workflow.submit_all(queue)  # one transaction: all is stored, or none
print(len(ids), ids[0] == web.id)  # 4 True
# --8<-- [end:workflow]

django_gigq.Worker(polling_interval=0).run(burst=True)  # what `manage.py gigq_worker` does

# --8<-- [start:results]
print(queue.get_result(totals.id))  # {'count': 3, 'total': 50.5}
print(queue.get_result(report.id))  # #sales: 3 orders, 50.50 EUR
print(queue.get_status(totals.id)["dependencies"] == [web.id, store.id])  # True
# --8<-- [end:results]
