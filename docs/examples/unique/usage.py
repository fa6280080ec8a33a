"""One pending or running job per key: duplicates get the holder's id, or raise."""

from django_gigq import Worker

# --8<-- [start:submit]
from django_gigq import Job, JobQueue

from .jobs import rebuild_report

queue = JobQueue()
first_id = queue.submit(
    Job("rebuild report 42", rebuild_report, params={"report_id": 42}, unique_key="report:42")
)
again = Job("rebuild report 42", rebuild_report, params={"report_id": 42})
print(queue.submit(again, unique_key="report:42") == first_id)  # True: the pending job's id
print(again.duplicate_of == first_id)  # True: and the job says it was a duplicate
# --8<-- [end:submit]

# --8<-- [start:raise]
from django_gigq import DuplicateJob  # noqa: E402

try:
    queue.submit(Job("rebuild", rebuild_report, params={"report_id": 42}),
                 unique_key="report:42", on_duplicate="raise")
except DuplicateJob as error:
    print(error.existing_id == first_id)  # True
# --8<-- [end:raise]

Worker(polling_interval=0).run(burst=True)  # `manage.py gigq_worker`: the job completes

# --8<-- [start:free-again]
later_id = queue.submit(Job("rebuild", rebuild_report, params={"report_id": 42}),
                        unique_key="report:42")
print(later_id != first_id)  # True: a completed job holds no key
# --8<-- [end:free-again]
