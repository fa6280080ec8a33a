"""The quick start: submit a job, let a worker run it, read the outcome."""

import django_gigq

# --8<-- [start:submit]
from django_gigq import Job, JobQueue

from .jobs import send_report

queue = JobQueue()
job = Job("weekly report", send_report, params={"recipient": "ops@example.com"})
job_id = queue.submit(job)
print(queue.get_status(job_id)["status"])  # pending
# --8<-- [end:submit]

# In production `manage.py gigq_worker` runs the job; here the in-process worker does,
# so that the test suite can run this file from top to bottom.
django_gigq.Worker(polling_interval=0).run(burst=True)

# --8<-- [start:outcome]
status = queue.get_status(job_id)
print(status["status"], status["attempts"])  # completed 1
print(queue.get_result(job_id))
# {'sent_to': 'ops@example.com', 'period': 'weekly'}
# --8<-- [end:outcome]
