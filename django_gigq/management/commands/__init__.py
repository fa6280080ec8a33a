"""``gigq`` (GigQ's CLI), ``gigq_worker`` and ``gigq_bench``."""
