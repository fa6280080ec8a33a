"""What ``Job()`` refuses at once: work a worker in another process could not run."""

# --8<-- [start:rejected]
from datetime import datetime

from django_gigq import Job

from .jobs import make_thumbnail

try:
    Job("inline", lambda: 42)
except TypeError as error:
    print(error)
    # function cannot be a lambda; define it at module level with def


def make_job(width):
    def resize(path):
        return make_thumbnail(path, width)

    return Job("closure", resize, params={"path": "cat.jpg"})


try:
    make_job(320)
except TypeError as error:
    print(error)
    # function cannot be a nested function or closure (make_job.<locals>.resize); ...

try:
    Job("when", make_thumbnail, params={"path": "cat.jpg", "width": datetime.now()})
except TypeError as error:
    print(error)
    # params must be JSON-serializable: Object of type datetime is not JSON ...
# --8<-- [end:rejected]
