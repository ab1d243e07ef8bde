"""What the clock says about a run: its verdicts, its records of blocking calls, and its observer.

The verdicts are BaseExceptions (see VirtualTimeError); the records and the
observer's hooks are what grader.executor.diagnostics reads.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from grader.protocol import Stuck, Where
from grader.wording import busy_loop_text, deadlock_text, time_budget_text

if TYPE_CHECKING:
    from grader.executor.clock.loop import VirtualEventLoop


class VirtualTimeError(BaseException):
    """Base of the clock's verdicts.

    A BaseException, like KeyboardInterrupt: a student's `except Exception`
    around a polling loop must not swallow the verdict and spin on.
    """


# A line of the student's code, and a task stuck on one: the protocol's own
# records, so what the clock finds crosses to the judge as it is.
Location = Where
StuckTask = Stuck


class DeadlockError(VirtualTimeError):
    """Every task waits on something that can never happen."""

    def __init__(self, tasks: list[StuckTask]) -> None:
        self.tasks = tasks
        super().__init__(deadlock_text(tasks))


class TimeBudgetError(VirtualTimeError):
    """The run went past its virtual-time budget: a loop that never ends."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        super().__init__(time_budget_text(budget))


class BusyLoopError(VirtualTimeError):
    """The loop kept running tasks without ever letting time pass."""

    def __init__(self, where: Location | None) -> None:
        self.where = where
        super().__init__(busy_loop_text(where))


@dataclass(slots=True)
class BlockingCall:
    """A blocking sleep that held the event loop up, or a wait that kept the processor busy."""

    where: Location | None
    duration: float
    held: tuple[str, ...]  # names of the tasks that could not run meanwhile
    at: float  # virtual time it started
    spinning: bool = False  # a busy wait (clock reads, sleep(0) loop), not a sleep
    # A busy wait's duration grows while it spins: only the clock writes it.


class LoopObserver(Protocol):
    """What the pitfall diagnostics watch in the virtual loops (see grader.executor.diagnostics).

    Each hook runs on the loop's thread in the middle of the student's run: it
    must be quick and must never raise.
    """

    def task_cancelling(self, task: asyncio.Task[Any]) -> None:
        """`task.cancel()` was called on a task that is not done yet."""

    def run_returned(self, loop: VirtualEventLoop) -> None:
        """`run_until_complete` returned normally; the loop's other tasks are as they were left."""

    def deadlock(self, loop: VirtualEventLoop) -> None:
        """Nothing can ever happen again on `loop`: the clock is about to raise DeadlockError."""

    def exception(self, loop: VirtualEventLoop, context: dict[str, Any]) -> None:
        """The loop's exception handler was called (e.g. a task's exception never retrieved)."""
