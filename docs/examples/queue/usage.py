"""Every ``JobQueue`` method, with what it returns."""

import django_gigq

# --8<-- [start:submit]
from django_gigq import Job, JobQueue, JobStatus

from .jobs import add, divide

queue = JobQueue()  # the database GIGQ["DATABASE"]; JobQueue(using=...) for another

job_id = queue.submit(Job("one plus one", add, params={"a": 1, "b": 1}))
ids = queue.submit_many(  # one transaction, bulk inserts; the ids in order
    [Job(f"add {n}", add, params={"a": n, "b": n}) for n in range(3)]
)
broken = Job("divide by zero", divide, params={"a": 1, "b": 0}, max_attempts=1)
broken_id = queue.submit(broken)
spare_id = queue.submit(Job("spare", add, params={"a": 0, "b": 0}))
print(type(job_id).__name__, len(ids))  # str 3
# --8<-- [end:submit]

# --8<-- [start:cancel]
print(queue.cancel(spare_id))  # True: it was pending, now cancelled
print(queue.cancel(spare_id))  # False: only pending jobs can be cancelled
# --8<-- [end:cancel]

django_gigq.Worker(polling_interval=0).run(burst=True)  # what `manage.py gigq_worker` does

# --8<-- [start:status]
status = queue.get_status(job_id)
print(status["exists"], status["status"], status["result"])  # True completed 2
print(status["function"])  # docs.examples.queue.jobs.add
print(status["queue"], status["priority"], status["attempts"])  # default 0 1
execution = status["executions"][0]  # one dict per attempt, oldest first
print(execution["attempt"], execution["status"])  # 1 completed

print(queue.get_status("0190f5c2-0000-7000-8000-000000000000"))  # {'exists': False}
# --8<-- [end:status]

# --8<-- [start:result]
print(queue.get_result(job_id))  # 2
print(queue.get_result(broken_id))  # None: it did not complete
# --8<-- [end:result]

# --8<-- [start:list]
everything = queue.list_jobs()  # newest first, at most 100 (limit=...)
print(len(everything), "executions" in everything[0])  # 6 False
cancelled = queue.list_jobs(status="cancelled")  # a JobStatus or its value
print([job["name"] for job in cancelled])  # ['spare']
failed = queue.list_jobs(status=JobStatus.FAILED)
print(failed[0]["error"])  # division by zero
try:
    queue.list_jobs(status="done")
except ValueError as error:
    print(error)  # unknown job status 'done'; expected one of: pending, ...
# --8<-- [end:list]

# --8<-- [start:stats]
stats = queue.stats()  # a count for each of the six statuses, and the total
print(stats["completed"], stats["failed"], stats["cancelled"], stats["total"])  # 4 1 1 6
print(list(stats))
# ['pending', 'running', 'completed', 'failed', 'cancelled', 'timeout', 'total']
# --8<-- [end:stats]

# --8<-- [start:requeue]
print(queue.requeue_job(broken_id))  # True: it failed, so it goes back to pending
print(queue.get_status(broken_id)["attempts"])  # 0
print(queue.requeue_job(job_id))  # False: it completed
# --8<-- [end:requeue]

# --8<-- [start:clear]
from datetime import timedelta  # noqa: E402

from django.utils import timezone  # noqa: E402

week_ago = timezone.now() - timedelta(days=7)
print(queue.clear_completed(before_timestamp=week_ago))  # 0: none that old
print(queue.clear_completed())  # 5: four completed jobs and the cancelled one
print(queue.stats()["total"])  # 1: the requeued job is pending
# --8<-- [end:clear]
