"""Progress, snooze, cancel and dependency results, as a worker runs them."""

from django_gigq import Job, JobQueue, Worker

from .jobs import ResizeImages, add_up, charge_order, import_contacts, publish_article

queue = JobQueue()
worker = Worker(polling_interval=0)  # `manage.py gigq_worker` does the same

# --8<-- [start:progress]
job_id = queue.submit(Job("import", import_contacts, params={"rows": ["ann", "bob", "eve"]}))
worker.run(burst=True)
status = queue.get_status(job_id)
print(status["progress"], status["progress_message"])  # 1.0 3 of 3 rows
# --8<-- [end:progress]

# --8<-- [start:snooze]
job_id = queue.submit(Job("publish", publish_article, params={"article_id": 12}))
worker.run(burst=True)
status = queue.get_status(job_id)
print(status["status"], status["attempts"])  # pending 0: it runs again in ten minutes
print(status["executions"][0]["status"])  # snoozed
# --8<-- [end:snooze]

# --8<-- [start:cancel]
job_id = queue.submit(Job("charge", charge_order, params={"order_id": 7}, max_attempts=5))
worker.run(burst=True)
status = queue.get_status(job_id)
print(status["status"], status["attempts"])  # cancelled 1: no retry
print(status["error"])  # order 7 was cancelled by the customer
# --8<-- [end:cancel]

# --8<-- [start:dependencies]
first = Job("first", import_contacts, params={"rows": ["ann"]})
second = Job("second", import_contacts, params={"rows": ["bob", "eve"]})
total = Job("total", add_up, dependencies=[first, second])
queue.submit_many([first, second, total])
worker.run(burst=True)
print(queue.get_result(total.id))  # 3
# --8<-- [end:dependencies]

# --8<-- [start:job-type]
job_id = ResizeImages.submit(paths=["a.png", "b.png"])
Worker(polling_interval=0, queues=["images"]).run(burst=True)
print(queue.get_result(job_id))  # {'resized': 2, 'attempt': 1}
# --8<-- [end:job-type]
