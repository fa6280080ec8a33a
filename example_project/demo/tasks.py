"""A ``django.tasks`` task, run by ``gigq_worker`` through ``GigQBackend``.

Django 6.0+ only: ``settings.TASKS`` names ``django_gigq.backends.GigQBackend``, so
``count_words.enqueue(text)`` stores a django-gigq job and ``count_words.get_result(id)``
reads it back as a ``TaskResult``. On Django 5.2 this module cannot be imported (there is
no ``django.tasks``); the views check ``TASKS_AVAILABLE`` first.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.tasks import task


@task
def count_words(text: str, top: int = 3) -> dict[str, Any]:
    """Count the words of ``text``; return the total and the ``top`` most common ones."""
    words = [word.strip(".,;:!?\"'()").lower() for word in text.split()]
    counts = Counter(word for word in words if word)
    return {"words": sum(counts.values()), "most_common": counts.most_common(top)}
