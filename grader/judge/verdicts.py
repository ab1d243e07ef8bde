"""What a test can end on besides a failed assertion, as the judge words it.

`StudentError` is the student's code raising, or not being usable (status
`error`). The others are `Verdict`s: `BaseException`s, so that no
`except Exception` in a suite's helper swallows them, each carrying the
status it gives the test.
"""

from __future__ import annotations

from grader import protocol as p
from grader.results import Cause, Status
from grader.wording import busy_loop_text, deadlock_text, time_budget_text


class StudentError(Exception):
    """The student's code raised, or could not be used: reported as status `error`."""

    def __init__(
        self,
        message: str,
        where: p.Where | None = None,
        error: p.ErrorInfo | None = None,
        cause: Cause = Cause.OTHER,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.error = error
        self.cause = cause


class Verdict(BaseException):
    """A test stopped by the judge itself; `status` is what the report shows."""

    status: Status = Status.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DeadlockError(Verdict):
    """Every task of the student's program waited on something that could never happen."""

    def __init__(self, stuck: tuple[p.Stuck, ...]) -> None:
        self.stuck = stuck
        super().__init__(deadlock_text(stuck))

    def describe(self) -> str:
        return self.message


class TimeBudgetError(Verdict):
    """The run went past its virtual-time budget: a loop that never ends."""

    def __init__(self, budget: float, blocking: tuple[p.Blocked, ...] = ()) -> None:
        self.budget = budget
        self.blocking = blocking
        super().__init__(time_budget_text(budget))


class BusyLoopError(Verdict):
    """The loop kept running tasks without ever letting time pass."""

    def __init__(self, where: p.Where | None) -> None:
        self.where = where
        super().__init__(busy_loop_text(where))


class RealTimeout(Verdict):
    """The executor ran past the test's real-time limit and was stopped."""

    status = Status.TIMEOUT

    def __init__(self, message: str, where: p.Where | None) -> None:
        super().__init__(message)
        self.where = where


class ExecutorLost(Verdict):
    """The executor died, or said something the judge cannot believe."""


class SetupStopped(Exception):
    """A Verdict met while a fixture was being set up, carried as an Exception.

    pytest's fixture cache expects setup to fail with an Exception; a
    BaseException there leaves it half-done and breaks every later test.
    """

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.message)
        self.verdict = verdict
