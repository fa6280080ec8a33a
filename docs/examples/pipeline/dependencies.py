"""Dependencies without a workflow, and what submit refuses."""

import uuid

import django_gigq

# --8<-- [start:dependencies]
from django_gigq import Job, JobQueue

from .jobs import extract, transform

queue = JobQueue()
web = Job("extract web", extract, params={"source": "web"})
totals = Job("transform", transform, dependencies=[web])  # Job objects or ids
queue.submit_many([totals, web])  # any order within one call
print(queue.get_status(totals.id)["pending_dependencies"])  # 1

later = Job("transform again", transform, dependencies=[web.id])
queue.submit(later)  # may depend on jobs submitted earlier
# --8<-- [end:dependencies]

django_gigq.Worker(polling_interval=0).run(burst=True)  # what `manage.py gigq_worker` does
print(queue.get_result(later.id))  # {'count': 2, 'total': 42.5}

# --8<-- [start:refused]
unknown = Job("orphan", transform, dependencies=[str(uuid.uuid4())])
try:
    queue.submit(unknown)
except ValueError as error:
    print(error)
    # job ... (orphan) depends on unknown job ...; submit that job first, ...

first = Job("first", transform)
second = Job("second", transform, dependencies=[first])
first.dependencies.append(second.id)
try:
    queue.submit_many([first, second])
except ValueError as error:
    print(error)
    # dependency cycle: first (...) -> second (...) -> first (...); ...
# --8<-- [end:refused]
