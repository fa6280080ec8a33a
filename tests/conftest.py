import pytest

from django_gigq import JobQueue, Worker


@pytest.fixture
def queue(db):
    return JobQueue()


@pytest.fixture
def worker(db):
    return Worker(polling_interval=0)


@pytest.fixture
def drain(worker):
    """Run every claimable job in this process; return how many ran."""
    return lambda: worker.run(burst=True)
