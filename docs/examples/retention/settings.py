"""Pruning by running workers: the retention setting."""

# --8<-- [start:settings]
GIGQ = {
    # Delete finished jobs after 7 days, but keep the failures a month to look into them.
    "PRUNE_AFTER_DAYS": {"completed": 7, "cancelled": 7, "failed": 30, "timeout": 30},
    # How often each worker prunes (seconds).
    "PRUNE_INTERVAL": 3600,
}
# --8<-- [end:settings]
