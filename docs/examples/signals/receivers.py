"""Receivers of django-gigq's signals: react to jobs that fail, and count completions."""

# --8<-- [start:receivers]
from django.dispatch import receiver

from django_gigq.signals import job_completed, job_failed, job_retrying

alerts = []  # stands in for a pager, a chat channel, an e-mail to the on-call engineer


@receiver(job_failed)
def alert_on_failure(sender, job_id, name, status, error, attempt, **kwargs):
    # Sent once the job has failed for good: no attempt left, or a timeout on the last.
    alerts.append(f"{name} ({job_id}) ended {status} after attempt {attempt}: {error}")


@receiver(job_retrying)
def note_retry(sender, name, attempt, error, **kwargs):
    alerts.append(f"{name} attempt {attempt} failed, will retry: {error}")


@receiver(job_completed)
def record_duration(sender, function, duration, **kwargs):
    # e.g. metrics.histogram("job.duration", duration, tags=[function])
    pass


# --8<-- [end:receivers]
