"""Submit jobs with unique keys from a process of its own (``python -m tests.submitter``).

Arguments: START_AT (a ``time.time()`` to wait for, so several processes start together),
COUNT and PREFIX. Submits ``COUNT`` jobs keyed ``PREFIX-0`` ..., key number ``n`` at
``START_AT + n * STEP`` (so processes submit each key at the same moment), and prints
``{"stored": n, "duplicates": n}`` as JSON.
"""

import json
import sys
import time

import django

#: Seconds between two keys: every process submits key ``n`` at the same moment.
STEP = 0.03


def main(start_at: float, count: int, prefix: str) -> None:
    django.setup()
    from django_gigq import Job, JobQueue
    from tests import jobs

    queue = JobQueue()
    queue.submit(Job("warm-up", jobs.noop))  # connect before the start line
    stored = duplicates = 0
    for number in range(count):
        time.sleep(max(0.0, start_at + number * STEP - time.time()))
        job = Job("unique", jobs.noop, unique_key=f"{prefix}-{number}")
        if queue.submit(job) == job.id:
            stored += 1
        else:
            duplicates += 1
    print(json.dumps({"stored": stored, "duplicates": duplicates}))


if __name__ == "__main__":
    main(float(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
