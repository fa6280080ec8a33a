"""Every ``GIGQ`` setting with its default; the test suite checks this against conf.py."""

# --8<-- [start:defaults]
GIGQ = {
    # The database alias that holds the job tables.
    "DATABASE": "default",
    # The queue of a job that names none.
    "DEFAULT_QUEUE": "default",
    # Seconds an idle gigq_worker waits before it looks for jobs again.
    "POLLING_INTERVAL": 1.0,
    # The largest params that submit accepts, in bytes of JSON (1 MiB).
    "MAX_PARAMS_BYTES": 1048576,
    # Seconds between heartbeats; each renews the worker's running jobs' leases.
    "HEARTBEAT_INTERVAL": 5.0,
    # Seconds a running job stays its worker's without a heartbeat.
    "LEASE_SECONDS": 30.0,
    # Seconds between looks for expired leases and silent workers.
    "RESCUE_INTERVAL": 15.0,
    # Seconds running jobs get to finish after SIGTERM (--shutdown-timeout).
    "SHUTDOWN_TIMEOUT": 30.0,
    # Seconds a cancelled running job gets to stop by itself before it is killed.
    "CANCEL_GRACE_SECONDS": 5.0,
    # Seconds between looks for due periodic schedules.
    "SCHEDULER_INTERVAL": 1.0,
    # Days after which workers delete finished jobs (a number, or per status); None: never.
    "PRUNE_AFTER_DAYS": None,
    # Seconds between prunings by a worker, when PRUNE_AFTER_DAYS is set.
    "PRUNE_INTERVAL": 3600.0,
    # Seconds the oldest claimable job may wait before `gigq health` fails.
    "HEALTH_MAX_AGE": 300.0,
    # Top-level packages whose functions workers may run; None: the default.
    "ALLOWED_MODULES": None,
}
# --8<-- [end:defaults]
