"""Every option of ``Job``, and what a ``Job`` object knows before it is submitted."""

# --8<-- [start:options]
from django_gigq import Job

from .jobs import make_thumbnail

job = Job(
    name="thumbnail",  # a label for people; not unique
    function=make_thumbnail,  # or its dotted path, as a str
    params={"path": "photos/cat.jpg", "width": 320},  # keyword arguments
    priority=10,  # higher runs first (default 0)
    dependencies=[],  # ids or Job objects that must complete first
    max_attempts=5,  # runs in all, at least 1 (default 3)
    timeout=60,  # seconds one run may take (default 300)
    description="320 px thumbnail for the gallery",
    retry_delay=10,  # seconds before a retry (default 0)
    queue="images",  # default: GIGQ["DEFAULT_QUEUE"], "default"
    pass_parent_results=None,  # None: if the function takes parent_results
    retry_backoff="exponential",  # "fixed" (default), "exponential" or "random"
    retry_max_delay=600,  # the longest wait between attempts, in seconds
)
print(job.function_path)  # docs.examples.defining.jobs.make_thumbnail
print(len(job.id))  # 36
# --8<-- [end:options]

# --8<-- [start:by-path]
same = Job(
    "thumbnail",
    "docs.examples.defining.jobs.make_thumbnail",
    params={"path": "photos/dog.jpg", "width": 320},
)
print(same.function_path == job.function_path)  # True
# --8<-- [end:by-path]
