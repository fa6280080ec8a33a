"""LOGGING for django-gigq: its loggers propagate to the project's handlers."""

# --8<-- [start:logging]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # Every django-gigq logger is under "django_gigq": INFO shows retries,
        # cancellations and rescues, WARNING and ERROR what needs a look.
        "django_gigq": {"handlers": ["console"], "level": "INFO"},
    },
}
# --8<-- [end:logging]
