"""Jobs submitted in a transaction live and die with it; on_commit waits for the commit."""

from django.db import transaction

from django_gigq import Job, JobQueue

from .jobs import send_confirmation

queue = JobQueue()

# --8<-- [start:rollback]
try:
    with transaction.atomic():
        # ... save the order ...
        queue.submit(Job("confirm order 1", send_confirmation, params={"order_id": 1}))
        raise ValueError("the order is invalid after all")
except ValueError:
    pass
print(queue.stats()["pending"])  # 0: the job was rolled back with the order
# --8<-- [end:rollback]

# --8<-- [start:commit]
with transaction.atomic():
    job_id = queue.submit(Job("confirm order 2", send_confirmation, params={"order_id": 2}))
    # Inside the transaction the job exists; workers see it once the block commits.
print(queue.get_status(job_id)["status"])  # pending
# --8<-- [end:commit]

# --8<-- [start:on-commit]
with transaction.atomic():
    job_id = queue.submit(
        Job("confirm order 3", send_confirmation, params={"order_id": 3}), on_commit=True
    )
    print(queue.get_status(job_id)["exists"])  # False: not stored before the commit
print(queue.get_status(job_id)["status"])  # pending
# --8<-- [end:on-commit]
