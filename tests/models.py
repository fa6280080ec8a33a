from django.db import models


class Run(models.Model):
    """One call of a test job function, written by the function itself."""

    key = models.CharField(max_length=100, db_index=True)
    pid = models.IntegerField()
    attempt_marker = models.CharField(max_length=100, blank=True, default="")

    def __str__(self):
        return f"{self.key} in {self.pid}"


class ChaosRun(models.Model):
    """One execution of a chaos-suite job, written by the job function itself.

    The row is inserted when the run starts and ``ended_at`` is set when it reaches its
    end, both in database time: a run that was killed keeps ``ended_at`` empty. The chaos
    checker compares these rows with what django-gigq recorded.
    """

    job_id = models.CharField(max_length=36, db_index=True)
    attempt = models.IntegerField()
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"{self.job_id} attempt {self.attempt} in {self.pid}"
