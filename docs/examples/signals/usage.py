"""A failing job sends job_retrying, then job_failed: the receivers see both."""

import django_gigq
from django_gigq import Job, JobQueue

from .jobs import charge
from .receivers import alerts

# --8<-- [start:usage]
JobQueue().submit(Job("charge order 7", charge, params={"order_id": 7}, max_attempts=2))
django_gigq.Worker(polling_interval=0).run(burst=True)  # a worker runs it, twice

retried, failed = alerts
print(retried)
# charge order 7 attempt 1 failed, will retry: the payment provider refused order 7
print(failed)
# charge order 7 (...) ended failed after attempt 2: the payment provider refused order 7
# --8<-- [end:usage]
