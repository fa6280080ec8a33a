"""Enqueue tasks through GigQBackend, let a worker run them, read their results."""

import django_gigq
from django_gigq import JobQueue

from .tasks import import_feed, rebuild_index, send_invoice, send_welcome

# --8<-- [start:enqueue]
result = send_welcome.enqueue("ada@example.com")
print(result.status)  # READY
print(JobQueue().get_status(result.id)["function"])  # docs.examples.django_tasks.tasks.send_welcome
invoice = send_invoice.enqueue(42)
feed = import_feed.using(priority=-5).enqueue("https://example.com/feed")
index = rebuild_index.enqueue("news")
# --8<-- [end:enqueue]

# In production `manage.py gigq_worker` runs the tasks; here the in-process worker does,
# so that the test suite can run this file from top to bottom.
django_gigq.Worker(polling_interval=0).run(burst=True)

# --8<-- [start:results]
result.refresh()  # or send_welcome.get_result(result.id), from any process
print(result.status, result.return_value)  # SUCCESSFUL welcome sent to ada@example.com
print(send_invoice.get_result(invoice.id).return_value)  # {'invoice': 42, 'sent': True}

feed.refresh()
print(feed.status, feed.attempts)  # FAILED 3: the job default is 3 attempts
print(feed.errors[-1].exception_class)  # <class 'ConnectionError'>
print(feed.errors[-1].traceback.splitlines()[-1])
# ConnectionError: https://example.com/feed did not answer

print(rebuild_index.get_result(index.id).return_value)  # {'section': 'news', 'attempt': 1}
# --8<-- [end:results]
