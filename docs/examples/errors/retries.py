"""Failures, retries, and the errors that fail a job at once."""

import django_gigq

# --8<-- [start:retries]
from django_gigq import Job, JobQueue

from .jobs import charge_card

queue = JobQueue()
charge = Job("charge", charge_card, params={"order_id": 7}, max_attempts=3)
charge_id = queue.submit(charge)
# --8<-- [end:retries]

django_gigq.Worker(polling_interval=0).run(burst=True)  # what `manage.py gigq_worker` does

# --8<-- [start:failed]
status = queue.get_status(charge_id)
print(status["status"], status["attempts"])  # failed 3
print(status["error"])  # payment gateway unreachable
first = status["executions"][0]
print(first["attempt"], first["status"])  # 1 failed
print(first["exception_type"])  # builtins.ConnectionError
print(first["traceback"].splitlines()[-1])
# ConnectionError: payment gateway unreachable
# --8<-- [end:failed]

# --8<-- [start:at-once]
from .jobs import export_tags, greet  # noqa: E402

tags_id = queue.submit(Job("tags", export_tags, params={"article_id": 1}))
typo_id = queue.submit(Job("greet", greet, params={"nmae": "Ada"}))
# --8<-- [end:at-once]

django_gigq.Worker(polling_interval=0).run(burst=True)  # what `manage.py gigq_worker` does

# --8<-- [start:at-once-outcome]
tags = queue.get_status(tags_id)
print(tags["status"], tags["attempts"])  # failed 1
print(tags["error"])
# ...export_tags ran, but the result must be JSON-serializable: Object of type set ...
typo = queue.get_status(typo_id)
print(typo["status"], typo["attempts"])  # failed 1
print(typo["error"])
# params do not match the signature of ...greet(name): missing ... 'name'
# --8<-- [end:at-once-outcome]

# --8<-- [start:delay]
from django_gigq import Worker  # noqa: E402

later = Job("charge later", charge_card, params={"order_id": 8}, retry_delay=60)
later_id = queue.submit(later)
Worker(polling_interval=0).run(burst=True)  # runs attempt 1; attempt 2 is not due
status = queue.get_status(later_id)
print(status["status"], status["attempts"])  # pending 1
print(status["retry_after"] > status["started_at"])  # True: a minute later
# --8<-- [end:delay]
