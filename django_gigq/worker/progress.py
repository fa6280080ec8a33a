"""A progress bar for ``gigq_worker --burst`` on a terminal: jobs done / remaining."""

from __future__ import annotations

import time
from typing import TextIO

from ..models import Job

#: Redraws per second at most: counting the claimable jobs is a query.
REFRESH_INTERVAL = 0.5
WIDTH = 30


class ProgressBar:
    """Called with the number of jobs done; redraws one line on ``stream``."""

    def __init__(self, options, stream: TextIO) -> None:
        self.options = options
        self.stream = stream
        self.last_draw = 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last_draw < REFRESH_INTERVAL:
            return
        self.last_draw = now
        remaining = Job.objects.using(self.options.using).claimable(self.options.queues).count()
        total = done + remaining
        filled = WIDTH * done // total if total else WIDTH
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\r[{bar}] {done} done, {remaining} remaining ")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        self.stream.write("\n")
        self.stream.flush()
