"""Measuring django-gigq where it runs: what ``manage.py gigq_bench`` and ``benchmarks/`` run.

Every figure is printed beside a bare psycopg loop measured in the same run (on
PostgreSQL), because absolute numbers drift with whatever else the machine is doing and
only ratios from one run can be compared. The benchmark touches only jobs in its own queue
(``BENCH_QUEUE``); it never reads or deletes other jobs.
"""

#: The queue benchmark jobs go to; the benchmark deletes its jobs, and only them.
BENCH_QUEUE = "gigq-bench"
