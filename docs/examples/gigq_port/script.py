"""GigQ code after the move: only the import line changed."""

# --8<-- [start:port]
# from gigq import Job, JobQueue, Worker
from django_gigq import Job, JobQueue, Worker

from .jobs import resize

queue = JobQueue("jobs.db")  # accepted; the path is ignored with a warning
job_id = queue.submit(Job("resize", resize, params={"path": "cat.png"}))

worker = Worker("jobs.db")
while worker.process_one():
    pass
print(queue.get_status(job_id)["status"])  # completed
# --8<-- [end:port]
