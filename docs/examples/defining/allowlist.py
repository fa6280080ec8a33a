"""The allowlist: submit refuses functions outside the project's own packages."""

# --8<-- [start:allowlist]
from django_gigq import Job, JobQueue

job = Job("shell", "os.system", params={"command": "rm -rf /"})  # well-formed...
try:
    JobQueue().submit(job)  # ...but no worker may run it
except ValueError as error:
    print(error)
    # function 'os.system' is not in an allowed module; workers only run ...
# --8<-- [end:allowlist]
