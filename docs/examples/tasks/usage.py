"""Using ``@task`` functions: call them, make jobs of them, submit them."""

import django_gigq
from django_gigq import JobQueue

from .jobs import add, send_welcome_email

# --8<-- [start:call]
print(add(2, 3))  # 5
# --8<-- [end:call]

# --8<-- [start:to-job]
job = send_welcome_email.to_job(user_id=42)
print(job.name, job.queue, job.priority)  # send_welcome_email mail 5
print(job.function_path)  # docs.examples.tasks.jobs.send_welcome_email
# --8<-- [end:to-job]

# --8<-- [start:submit]
queue = JobQueue()
email_id = send_welcome_email.submit(queue, user_id=42)
sum_id = queue.submit(add.to_job(a=1, b=2))
# --8<-- [end:submit]

django_gigq.Worker(polling_interval=0).run(burst=True)  # what `manage.py gigq_worker` does

print(queue.get_result(email_id))  # {'user_id': 42, 'sent': True}
print(queue.get_result(sum_id))  # 3
