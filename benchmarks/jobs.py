"""Job functions for the benchmarks."""


def noop():
    return None
