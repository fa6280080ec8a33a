"""GigQ's logging and connection helpers, for code that calls them."""

from __future__ import annotations

import logging

from django.db import connections

LOG_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"


def setup_logging(level: int = logging.INFO) -> logging.Logger:
    """Send the ``django_gigq`` log to stderr at ``level``, as GigQ's ``setup_logging`` does.

    Projects with a ``LOGGING`` setting need not call this: the ``django_gigq`` logger
    propagates to it like any other. Calling it again replaces the handler it added.

    Returns:
        The ``django_gigq`` logger.
    """
    logger = logging.getLogger("django_gigq")
    logger.setLevel(level)
    for handler in [h for h in logger.handlers if getattr(h, "gigq_setup", False)]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.gigq_setup = True
    logger.addHandler(handler)
    return logger


def close_connections() -> None:
    """Close this thread's database connections (Django reopens them when needed)."""
    connections.close_all()
