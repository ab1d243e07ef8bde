"""The one interface every detector implements; each hook is optional.

A detector watches for one kind of mistake. The `Monitor` calls every
detector's hooks in turn, so a detector implements only those it needs:

- `start(patches)` / `stop()`: once per session. `start` may replace
  functions for the session through `patches` (put back by the Monitor).
- `begin_test()`: before each test, once the context holds its clock.
- `end_test()`: after each test, before its diagnostics are collected.
- `run_returned(loop)`, `exception(loop, context)`, `task_cancelling(task)`,
  `deadlock(loop)`: the virtual loop's hooks (`clock.LoopObserver`): they run
  on the loop's thread in the middle of the student's run, so they must be
  quick and must never raise (a mistake in a detector must never change
  what the student's code does).

Each detector adds what it finds to the shared `Context` (`ctx.add`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from grader.executor.clock import VirtualEventLoop
from grader.executor.diagnostics.common import Context, Patches


class Detector:
    """A watcher of one pitfall. Every hook does nothing unless overridden."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def start(self, patches: Patches) -> None:
        """The session begins (the virtual clock is installed)."""

    def stop(self) -> None:
        """The session ends; `patches` are put back after this."""

    def begin_test(self) -> None:
        """A test begins; `ctx.clock` is its fresh clock."""

    def end_test(self) -> None:
        """The test's code is done: add what only the end can tell."""

    def run_returned(self, loop: VirtualEventLoop) -> None:
        """`run_until_complete` returned normally; the loop's other tasks are as they were left."""

    def exception(self, loop: VirtualEventLoop, context: dict[str, Any]) -> None:
        """The loop's exception handler was called (e.g. a task's exception never retrieved)."""

    def task_cancelling(self, task: asyncio.Task[Any]) -> None:
        """`task.cancel()` was called on a task that is not done yet."""

    def deadlock(self, loop: VirtualEventLoop) -> None:
        """Nothing can ever happen again on `loop`: the clock is about to raise DeadlockError."""
