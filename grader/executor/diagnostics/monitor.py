"""The `Monitor`: one per executor session, the detectors' host and the clock's observer.

It keeps the session's patches and the shared `Context`, calls every
detector's hooks (`detector.Detector`), and collects a test's diagnostics
once it ends, in an order that never depends on which thread found what.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from grader.executor.clock import VirtualClock, VirtualEventLoop
from grader.executor.diagnostics import blocking
from grader.executor.diagnostics.blocking import BlockingIo
from grader.executor.diagnostics.cancel import SwallowedCancel
from grader.executor.diagnostics.common import Context, Patches
from grader.executor.diagnostics.cpu import CPU_THRESHOLD, CpuBound
from grader.executor.diagnostics.deadlock import Deadlock
from grader.executor.diagnostics.detector import Detector
from grader.executor.diagnostics.lost import LostTask
from grader.executor.diagnostics.unawaited import NeverAwaited
from grader.results import Diagnostic


class Monitor:
    """Watches one executor session for the course's pitfalls; implements `clock.LoopObserver`."""

    def __init__(self, cpu_threshold: float = CPU_THRESHOLD) -> None:
        self.ctx = Context()
        self._patches = Patches()
        # The swallowed-cancel detector before the deadlock one: at a deadlock, a
        # task that went back to waiting after its cancellation is named as such.
        self.detectors: tuple[Detector, ...] = (
            BlockingIo(self.ctx),
            CpuBound(self.ctx, cpu_threshold),
            NeverAwaited(self.ctx),
            LostTask(self.ctx),
            SwallowedCancel(self.ctx),
            Deadlock(self.ctx),
        )
        self._frozen = False

    # -- the session ---------------------------------------------------------------
    def start(self) -> None:
        """Called once, after the virtual clock is installed."""
        for detector in self.detectors:
            detector.start(self._patches)

    def stop(self) -> None:
        """Called once, at the end of the session."""
        for detector in self.detectors:
            detector.stop()
        self._patches.undo()

    def begin_test(self, clock: VirtualClock) -> None:
        """Called before each test, with that test's fresh clock."""
        if not self._frozen:
            # What is loaded by now (pytest, hypothesis, the suites) lives for the
            # whole session: set it aside so the full collection at the end of
            # each test only walks what the test made.
            gc.collect()
            gc.freeze()
            self._frozen = True
        self.ctx.clock = clock
        clock.observer = self
        for detector in self.detectors:
            detector.begin_test()

    def end_test(self, clock: VirtualClock) -> list[Diagnostic]:
        """The diagnostics of the test that just ended."""
        for detector in self.detectors:
            detector.end_test()
        # Coroutines and tasks caught in reference cycles are finalized now, in
        # this test, rather than whenever the collector happens to run.
        gc.collect()
        with self.ctx.lock:  # the CPU sampler may be charging the last step
            found = blocking.sleeps(clock.blocking) + self.ctx.found
            self.ctx.found = []
        # Two threads report (the loop's and the sampler): the order of the
        # lines is the one order that never depends on which came first.
        return sorted(found, key=lambda d: (d.file or "", d.line or 0, d.kind))

    # -- the virtual loop's hooks (clock.LoopObserver) -----------------------------
    def run_returned(self, loop: VirtualEventLoop) -> None:
        for detector in self.detectors:
            detector.run_returned(loop)

    def exception(self, loop: VirtualEventLoop, context: dict[str, Any]) -> None:
        for detector in self.detectors:
            detector.exception(loop, context)

    def task_cancelling(self, task: asyncio.Task[Any]) -> None:
        for detector in self.detectors:
            detector.task_cancelling(task)

    def deadlock(self, loop: VirtualEventLoop) -> None:
        for detector in self.detectors:
            detector.deadlock(loop)
