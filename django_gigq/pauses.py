"""Paused queues: the ``PausedQueue`` model, one row per queue that workers must not claim from.

The claim (``JobQuerySet.claimable``) skips the jobs of every queue that has a row here, in
the same statement that picks the jobs, so a pause holds for every worker on every machine
from the moment it commits. Jobs already running finish. ``pausing.py`` adds and removes
the rows.
"""

from __future__ import annotations

from django.db import models

#: The longest queue name, as ``Job.queue`` allows.
QUEUE_MAX_LENGTH = 100


class PausedQueueQuerySet(models.QuerySet):
    def of_queue(self, queue: str) -> PausedQueueQuerySet:
        return self.filter(queue=queue)

    def names(self) -> list[str]:
        """Return the paused queues' names, sorted."""
        return list(self.order_by("queue").values_list("queue", flat=True))


class PausedQueue(models.Model):
    """A queue whose pending jobs no worker claims until it is resumed."""

    queue = models.CharField(max_length=QUEUE_MAX_LENGTH, unique=True)
    paused_at = models.DateTimeField(help_text="When it was paused (database clock).")
    paused_by = models.CharField(
        max_length=255, blank=True, default="", help_text="Who paused it: a user, or a host."
    )
    reason = models.TextField(blank=True, default="")

    objects = PausedQueueQuerySet.as_manager()

    class Meta:
        ordering = ["queue"]
        # Checked by the admin's pause and resume buttons.
        permissions = [("pause_queue", "Can pause and resume queues")]

    def __str__(self) -> str:
        return self.queue
