"""Property-based tests of the job state machine, on the real test database.

Hypothesis drives random sequences of submit / claim / complete / fail / timeout / lost /
cancel / requeue / rescue over random dependency DAGs through the functions the workers
and the admin use (``claim_jobs``, ``record_outcomes``, ``cancel_job``, ``requeue_job``,
``rescue.run_once``), keeps a small model of what each call must do, and checks after
every step that the database still makes sense: no job is final twice, no job runs before
its dependencies completed, counters never go negative and match the dependencies, and a
dependency that did not succeed always takes its pending dependents down with it.

``GIGQ_CHAOS=full`` runs many more and longer sequences.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from django_gigq import Job, JobQueue
from django_gigq.claim import ClaimedJob, claim_jobs
from django_gigq.completion import record_outcomes
from django_gigq.execution import Outcome
from django_gigq.maintenance import rescue
from django_gigq.models import Job as JobRow
from django_gigq.models import JobDependency, JobExecution
from django_gigq.states import FINAL_STATES, UNSUCCESSFUL_STATES, JobStatus
from django_gigq.transitions import cancel_job, requeue_job
from tests import jobs

FULL = os.environ.get("GIGQ_CHAOS") == "full"
WORKERS = ("worker-a", "worker-b")
OUTCOMES = ("complete", "fail", "fail for good", "timeout", "lost", "snooze", "cancel itself")


def outcome_of(kind: str, claimed: ClaimedJob) -> Outcome:
    if kind == "complete":
        return Outcome(job=claimed, succeeded=True, result={"attempt": claimed.attempt})
    if kind == "fail":
        return Outcome(job=claimed, succeeded=False, error="boom", exception_type="ValueError")
    if kind == "fail for good":
        return Outcome(job=claimed, succeeded=False, error="unrunnable", retryable=False)
    if kind == "timeout":
        return Outcome.timeout(claimed, duration=1.0)
    if kind == "snooze":
        return Outcome(job=claimed, succeeded=False, error="snoozed", snooze_seconds=0)
    if kind == "cancel itself":
        return Outcome(job=claimed, succeeded=False, error="not needed", cancelled=True)
    return Outcome.lost(claimed, "the worker's child process died")


class JobStateMachine(RuleBasedStateMachine):
    """A model of the job lifecycle checked against the real functions and tables."""

    def __init__(self) -> None:
        super().__init__()
        JobRow.objects.all().delete()
        self.job_ids: list[str] = []
        self.held: list[tuple[str, ClaimedJob]] = []  # claims not yet reported, maybe stale
        self.ever_completed: set[str] = set()
        self.deps: dict[str, list[str]] = {}

    def _row(self, job_id: str) -> dict:
        return JobRow.objects.values().get(id=job_id)

    def _pick(self, index: int) -> str:
        return self.job_ids[index % len(self.job_ids)]

    # -- rules -----------------------------------------------------------------------

    @rule(
        picks=st.lists(st.integers(0, 50), max_size=3),
        max_attempts=st.integers(1, 3),
        priority=st.integers(-2, 2),
    )
    def submit(self, picks, max_attempts, priority) -> None:
        dependencies = sorted({self._pick(i) for i in picks}) if self.job_ids else []
        job = Job("p", jobs.noop, dependencies=dependencies, max_attempts=max_attempts,
                  priority=priority)  # fmt: skip
        JobQueue().submit(job)
        self.job_ids.append(job.id)
        self.deps[job.id] = dependencies

    @rule(worker=st.sampled_from(WORKERS), limit=st.integers(1, 3))
    def claim(self, worker, limit) -> None:
        claimable = set(str(i) for i in JobRow.objects.claimable().values_list("id", flat=True))
        claimed = claim_jobs(worker, limit=limit, using="default")
        assert len(claimed) == min(limit, len(claimable))
        for job in claimed:
            assert str(job.id) in claimable, "claimed a job that was not claimable"
            self.held.append((worker, job))

    @precondition(lambda self: self.held)
    @rule(index=st.integers(0, 50), kind=st.sampled_from(OUTCOMES))
    def report(self, index, kind) -> None:
        worker, claimed = self.held.pop(index % len(self.held))
        job_id = str(claimed.id)
        before = self._row(job_id)
        # Only the job's current run may end it.
        owned = (
            before["status"] == JobStatus.RUNNING
            and before["latest_execution_id"] == claimed.execution_id
        )
        recorded = record_outcomes([outcome_of(kind, claimed)], worker, using="default")
        assert bool(recorded) == owned, (kind, before, claimed)
        after = self._row(job_id)
        if not owned:
            assert after == before, "a refused outcome changed the job"
            return
        if kind == "complete":
            assert job_id not in self.ever_completed, "completed twice"
            self.ever_completed.add(job_id)
            assert after["status"] == JobStatus.COMPLETED
        elif kind == "snooze":  # back to pending, the attempt not used up
            assert (after["status"], after["attempts"]) == (JobStatus.PENDING, claimed.attempt - 1)
        elif kind == "cancel itself":
            assert after["status"] == JobStatus.CANCELLED
        elif kind != "fail for good" and claimed.attempt < claimed.max_attempts:
            assert after["status"] == JobStatus.PENDING  # retried
        else:
            expected = JobStatus.TIMEOUT if kind == "timeout" else JobStatus.FAILED
            assert after["status"] == expected

    @precondition(lambda self: self.job_ids)
    @rule(index=st.integers(0, 50))
    def cancel(self, index) -> None:
        job_id = self._pick(index)
        before = self._row(job_id)
        was_pending = before["status"] == JobStatus.PENDING
        stoppable = before["status"] == JobStatus.RUNNING and not before["cancel_requested_at"]
        assert cancel_job(job_id, using="default") == (was_pending or stoppable)
        after = self._row(job_id)
        if was_pending:
            assert after["status"] == JobStatus.CANCELLED
        elif before["status"] == JobStatus.RUNNING:  # only asked to stop: its worker ends it
            assert after["status"] == JobStatus.RUNNING and after["cancel_requested_at"]
        else:
            assert after == before

    @precondition(lambda self: self.job_ids)
    @rule(index=st.integers(0, 50))
    def requeue(self, index) -> None:
        job_id = self._pick(index)
        status = self._row(job_id)["status"]
        blocked = JobDependency.objects.filter(
            job_id=job_id, depends_on__status__in=UNSUCCESSFUL_STATES
        ).exists()
        expected = status in UNSUCCESSFUL_STATES and not blocked
        assert requeue_job(job_id, using="default") == expected
        if expected:
            row = self._row(job_id)
            assert (row["status"], row["attempts"]) == (JobStatus.PENDING, 0)

    @precondition(lambda self: self.job_ids)
    @rule(index=st.integers(0, 50))
    def lease_expires_and_rescue(self, index) -> None:
        running = list(JobRow.objects.running().values_list("id", flat=True))
        if running:
            victim = running[index % len(running)]
            JobRow.objects.filter(id=victim).update(
                lease_expires_at=timezone.now() - timedelta(seconds=5)
            )
        assert rescue.run_once("default") == (1 if running else 0)

    # -- invariants ------------------------------------------------------------------

    @invariant()
    def database_makes_sense(self) -> None:
        rows = {str(row["id"]): row for row in JobRow.objects.values()}
        executions = list(JobExecution.objects.values("job_id", "status"))
        running_executions = Counter(
            str(e["job_id"]) for e in executions if e["status"] == JobStatus.RUNNING
        )
        completed_executions = Counter(
            str(e["job_id"]) for e in executions if e["status"] == JobStatus.COMPLETED
        )
        for job_id, row in rows.items():
            status = row["status"]
            dep_states = [rows[d]["status"] for d in self.deps[job_id]]
            assert row["pending_dependencies"] >= 0
            assert 0 <= row["attempts"] <= row["max_attempts"]
            if status == JobStatus.PENDING:
                unfinished = sum(s != JobStatus.COMPLETED for s in dep_states)
                assert row["pending_dependencies"] == unfinished, (row, dep_states)
                assert not UNSUCCESSFUL_STATES & set(dep_states), (
                    "a job stays pending behind a dependency that did not succeed"
                )
            if status in (JobStatus.RUNNING, JobStatus.COMPLETED):
                assert all(s == JobStatus.COMPLETED for s in dep_states), (
                    "a job ran before its dependencies completed"
                )
            assert running_executions[job_id] == (1 if status == JobStatus.RUNNING else 0), (
                row,
                list(JobExecution.objects.filter(job_id=job_id).values("attempt", "status")),
            )
            assert completed_executions[job_id] == (1 if status == JobStatus.COMPLETED else 0)
            if job_id in self.ever_completed:
                assert status == JobStatus.COMPLETED, "a completed job changed state"
            if status in FINAL_STATES:
                assert row["lease_expires_at"] is None or status != JobStatus.COMPLETED


JobStateMachine.TestCase.settings = settings(
    max_examples=400 if FULL else 25,
    stateful_step_count=60 if FULL else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.django_db
def test_job_state_machine_against_its_model():
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(JobStateMachine, settings=JobStateMachine.TestCase.settings)


@pytest.mark.django_db
def test_outcome_of_a_run_from_before_a_requeue_is_refused(queue):
    job_id = queue.submit(Job("aba", jobs.noop, max_attempts=1))
    [old_run] = claim_jobs("worker-a", using="default")
    JobRow.objects.filter(id=job_id).update(lease_expires_at=timezone.now() - timedelta(1))
    rescue.run_once("default")  # worker lost, no attempt left: failed
    assert requeue_job(job_id, using="default")
    [new_run] = claim_jobs("worker-a", using="default")
    assert (old_run.attempt, new_run.attempt) == (1, 1)

    late = Outcome(job=old_run, succeeded=True, result="from the old run")
    assert record_outcomes([late], "worker-a", using="default") == []
    assert JobRow.objects.get(id=job_id).status == JobStatus.RUNNING


@pytest.mark.django_db
def test_job_cancelled_before_its_dependency_completed_runs_when_requeued(queue, worker):
    # Found by the state machine above: the requeued job kept its old counter and
    # waited forever on a dependency that had completed meanwhile.
    parent = Job("parent", jobs.noop)
    child = Job("child", jobs.add, params={"a": 1, "b": 2}, dependencies=[parent])
    queue.submit_many([parent, child])
    queue.cancel(child.id)
    worker.process_one()  # the parent completes; its cancelled child is not counted down

    assert queue.requeue_job(child.id)

    assert JobRow.objects.get(id=child.id).pending_dependencies == 0
    worker.process_one()
    assert queue.get_result(child.id) == 3
