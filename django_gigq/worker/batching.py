"""How many jobs the supervisor claims at once, hands a child at once, and when it
writes their outcomes.

Each claim and each write of outcomes is a transaction: a round trip or more and, on most
databases, a flush of the write-ahead log. Short jobs are therefore claimed in batches and
their outcomes written together. The batch is sized from how fast the pool has been
running jobs, so that it holds about ``BATCH_WINDOW`` seconds of work: long jobs are
claimed one per idle child (nothing is hoarded that another machine could run), short ones
up to ``MAX_BATCH`` at a time.

Handing a job to a child and hearing back costs a message each way and a wake-up of
both processes: more than a short job takes to run. So short jobs go to a child in
bundles of about ``BUNDLE_WINDOW`` seconds of work, and a job that takes that long or
more goes alone (a bundle only delays the jobs at its end). While jobs are that short,
the supervisor also claims the next batch as soon as the last one is handed out, so that
it is ready when the children finish (at most one batch is held ahead).
"""

from __future__ import annotations

#: About how much work one batch holds, in seconds.
BATCH_WINDOW = 0.01

#: Outcomes are written with the next claim, which comes about once a ``BATCH_WINDOW``,
#: or alone once the oldest has waited this long (a slow job holds up the batch).
OUTCOME_MAX_WAIT = 2 * BATCH_WINDOW

#: The most jobs one claim takes, however short they are.
MAX_BATCH = 100

#: Weight of the newest run in the moving average of run times.
SMOOTHING = 0.2

#: What handing a job to a child and reading its outcome costs, besides the job itself.
HAND_OFF_SECONDS = 0.0002

#: About how much work one child is handed at once, in seconds.
BUNDLE_WINDOW = BATCH_WINDOW


class BatchSizer:
    """Choose how many jobs to claim from how long recent jobs ran.

    The run times are the children's own measure of each job, not the time the supervisor
    saw pass: that includes the supervisor's own database work, which batching reduces,
    and would keep batches small because they are small.
    """

    def __init__(self, concurrency: int, fixed: int | None = None) -> None:
        self.concurrency = concurrency
        self.fixed = fixed
        self.mean_run_seconds: float | None = None

    def observe(self, seconds: float) -> None:
        """Take into account a job that ran for ``seconds`` in a child."""
        if self.mean_run_seconds is None:
            self.mean_run_seconds = seconds
        else:
            self.mean_run_seconds += SMOOTHING * (seconds - self.mean_run_seconds)

    def size(self, idle: int) -> int:
        """Return how many jobs to claim for ``idle`` idle children (at least ``idle``)."""
        if self.fixed is not None:
            return max(idle, self.fixed)
        if self.mean_run_seconds is None:
            return idle  # nothing known yet: assume long jobs
        seconds_per_job = self.mean_run_seconds + HAND_OFF_SECONDS
        jobs_per_window = self.concurrency * BATCH_WINDOW / seconds_per_job
        return max(idle, min(MAX_BATCH, int(jobs_per_window)))

    def jobs_are_short(self) -> bool:
        """Whether recent jobs were short enough to go to children several at a time."""
        if self.mean_run_seconds is None:
            return False
        return self.mean_run_seconds + HAND_OFF_SECONDS < BUNDLE_WINDOW / 2

    def bundle_size(self, waiting: int, idle: int) -> int:
        """Return how many of ``waiting`` claimed jobs to hand one of ``idle`` idle children.

        About ``BUNDLE_WINDOW`` of work, and no more than a fair share, so that every idle
        child gets some; one job until run times are known.
        """
        if self.mean_run_seconds is None:
            return 1
        by_time = int(BUNDLE_WINDOW / (self.mean_run_seconds + HAND_OFF_SECONDS))
        fair_share = -(-waiting // idle)  # rounded up
        return max(1, min(by_time, fair_share))
