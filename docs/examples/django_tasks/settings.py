"""The TASKS setting for django-gigq's django.tasks backend."""

# --8<-- [start:tasks]
TASKS = {
    "default": {
        "BACKEND": "django_gigq.backends.GigQBackend",
        # The queues tasks may name (queue_name=...); [] or no QUEUES: any queue.
        "QUEUES": ["default", "emails"],
        # Job options for every task of this backend (any of the five may be left out).
        "OPTIONS": {
            "timeout": 300,  # seconds one attempt may run
            "max_attempts": 5,  # runs in all, the first included
            "retry_delay": 10,  # seconds before a retry
            "retry_backoff": "exponential",  # or "fixed", "random"
            "retry_max_delay": 600,  # the longest wait between attempts
        },
    }
}
# --8<-- [end:tasks]
