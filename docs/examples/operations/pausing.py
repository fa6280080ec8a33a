"""Pausing a queue with ``JobQueue``: its jobs wait, other queues run, resume lets them run."""

import django_gigq
from django_gigq import Job, JobQueue

from .jobs import resize_image, send_newsletter

queue = JobQueue()
newsletter = queue.submit(Job("newsletter", send_newsletter, params={"issue": 7}, queue="mail"))
thumbnail = queue.submit(Job("thumbnail", resize_image, params={"name": "a.png"}, queue="images"))

# --8<-- [start:pause]
print(queue.pause("mail", "the mail provider is down"))  # True: paused now
print(queue.pause("mail"))  # False: it was paused already (the first reason is kept)
print(queue.paused_queues())
# [{'queue': 'mail', 'paused_at': '...', 'paused_by': '', 'reason': 'the mail provider is down'}]
# --8<-- [end:pause]

django_gigq.Worker(polling_interval=0).run(burst=True)  # a worker serving every queue

# --8<-- [start:waiting]
print(queue.get_status(thumbnail)["status"])  # completed: other queues run as usual
print(queue.get_status(newsletter)["status"])  # pending: no worker claims it while paused
# --8<-- [end:waiting]

# --8<-- [start:resume]
print(queue.resume("mail"))  # True: it was paused
print(queue.resume("mail"))  # False: it was not paused any more
# --8<-- [end:resume]

django_gigq.Worker(polling_interval=0).run(burst=True)
print(queue.get_result(newsletter))  # sent issue 7
