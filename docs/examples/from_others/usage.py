"""Celery, django-tasks-db and django-q2 idioms, written with django-gigq."""

import django_gigq

# --8<-- [start:submit]
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from django_gigq import JobQueue

from .jobs import charge_card, resize_image

queue = JobQueue()

# Celery: resize_image.delay(photo_id=7)
# django-q2: async_task(resize_image, photo_id=7)
photo_id = resize_image.submit(queue, photo_id=7)

# Celery: apply_async(kwargs={...}, countdown=3600)
# Stored with the job in the database, not held by a worker.
later = resize_image.to_job(photo_id=8)
later.run_after = timezone.now() + timedelta(hours=1)
later_id = queue.submit(later)

# Stored in your transaction: a rollback takes the job with your writes.
with transaction.atomic():
    # ... save the order ...
    charge_id = charge_card.submit(queue, order_id=42)
# --8<-- [end:submit]

# --8<-- [start:canvas]
from django_gigq import Workflow

from .jobs import count_words, fetch_page, summarize

# Celery: chain(fetch_page.s(url), count_words.s())
# django-q2: async_chain([...])
chain = Workflow("word count")
page = chain.add_task(fetch_page, {"url": "https://example.com"})
words = chain.add_task(count_words, depends_on=[page])
chain.submit_all(queue)

# Celery: chord([resize_image.s(n) for n in ...], summarize.s())
# django-q2: a group, and a task that collects it
chord = Workflow("thumbnails")
parts = [chord.add_task(resize_image, {"photo_id": n}) for n in (1, 2, 3)]
summary = chord.add_task(summarize, depends_on=parts)
chord.submit_all(queue)
# --8<-- [end:canvas]

django_gigq.Worker(polling_interval=0).run(burst=True)  # what `manage.py gigq_worker` does

# --8<-- [start:results]
# Celery: AsyncResult(id).get(); django-q2: result(id)
# It never waits: None until the job has completed.
print(queue.get_result(photo_id))  # thumbnails/7.jpg
print(queue.get_result(later_id))  # None: due in an hour
print(queue.get_result(charge_id))  # {'order_id': 42, 'charged': True}
print(queue.get_result(words.id))  # 7
print(queue.get_result(summary.id))
# ['thumbnails/1.jpg', 'thumbnails/2.jpg', 'thumbnails/3.jpg']
# --8<-- [end:results]
