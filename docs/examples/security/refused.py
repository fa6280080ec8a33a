"""A job row changed behind django-gigq's back to name os.system: the worker refuses it."""

import django_gigq
from django_gigq import Job, JobQueue
from django_gigq.models import Job as JobRow

from ..reports.jobs import send_report

job_id = JobQueue().submit(Job("report", send_report, params={"recipient": "a@example.com"}))

# --8<-- [start:refused]
# Someone with write access to the job table points a pending job at os.system...
JobRow.objects.filter(id=job_id).update(function="os.system", params={"command": "id"})

# ...a worker claims it, refuses to import it, and records why: nothing ran.
django_gigq.Worker(polling_interval=0).run(burst=True)
status = JobQueue().get_status(job_id)
print(status["status"], status["attempts"])  # failed 1: not retried, it never could run
print(status["error"])
# function 'os.system' is not in an allowed module; workers only run callables from ...
# --8<-- [end:refused]
