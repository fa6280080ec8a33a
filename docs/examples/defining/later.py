"""A job that may not start before a given time."""

# --8<-- [start:later]
from datetime import datetime, timedelta

from django.utils import timezone

from django_gigq import Job, JobQueue, Worker

from .jobs import make_thumbnail

in_an_hour = timezone.now() + timedelta(hours=1)  # an aware datetime
params = {"path": "a.jpg", "width": 64}
job_id = JobQueue().submit(Job("later", make_thumbnail, params, run_after=in_an_hour))

Worker(polling_interval=0).run(burst=True)  # runs what is due: not this job
print(JobQueue().get_status(job_id)["status"])  # pending
# --8<-- [end:later]

# --8<-- [start:naive]
try:
    Job("naive", make_thumbnail, params, run_after=datetime(2030, 1, 1))
except ValueError as error:
    print(error)  # run_after must be an aware datetime; got the naive ...
# --8<-- [end:naive]
