"""The project's own subclass of CallCommand: the commands its jobs may run."""

# --8<-- [start:commands]
from django_gigq.common_jobs import CallCommand


class Housekeeping(CallCommand):
    allowed_commands = ("clearsessions", "check")
    queue = "maintenance"
# --8<-- [end:commands]
