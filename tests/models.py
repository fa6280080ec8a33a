from django.db import models


class Run(models.Model):
    """One call of a test job function, written by the function itself."""

    key = models.CharField(max_length=100, db_index=True)
    pid = models.IntegerField()
    attempt_marker = models.CharField(max_length=100, blank=True, default="")

    def __str__(self):
        return f"{self.key} in {self.pid}"
