"""The in-process ``Worker``: run jobs in this process (scripts, tests, a shell)."""

from django_gigq import Job, JobQueue

from .jobs import make_thumbnail, send_email

queue = JobQueue()
queue.submit_many(
    [Job(f"thumbnail {n}", make_thumbnail, params={"path": f"{n}.jpg", "width": 320},
         queue="images") for n in range(3)]
    + [Job("welcome", send_email, params={"to": "ada@example.com"}, queue="mail")]
)  # fmt: skip

# --8<-- [start:embedded]
from django_gigq import Worker  # noqa: E402

images = Worker(queues=["images"], polling_interval=0)
print(images.process_one())  # True: it ran a job (which may have failed)
print(images.run(burst=True))  # 2: it ran jobs until none was left
print(images.process_one())  # False: nothing left in "images"

everything = Worker()  # every queue
print(everything.run(burst=True, max_jobs=10))  # 1: the "mail" job
# --8<-- [end:embedded]
