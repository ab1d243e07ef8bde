"""`VirtualClock`: the simulated time of one test, and what a busy wait costs on it.

How the clock moves, and why, is told in the package's docstring
(grader/executor/clock/__init__.py).
"""

from __future__ import annotations

import asyncio
import math
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from grader.executor.clock.errors import (
    BlockingCall,
    DeadlockError,
    Location,
    LoopObserver,
    TimeBudgetError,
)
from grader.executor.clock.locations import is_library_file, task_label, user_location
from grader.executor.clock.loop import VirtualEventLoop

# What a busy wait may do for free before it costs virtual time: clock reads
# within one step of the loop (or of a synchronous program between two
# sleeps), and loop iterations that never wait. Far above what an honest
# program does at one instant (a few dozen prints with their times, a queue
# of a few hundred items), far below what a busy wait does in a few real
# milliseconds. (The loop's own allowance, FREE_SPINS, is in loop.py.)
FREE_READS = 10_000

# The cost of one read past the allowance: at least READ_COST, else
# 1/READ_FRACTION of the time the wait has spent so far, so a 5 s busy wait
# overshoots by 2.5 ms at most (under every test's tolerance) and ends after
# about 20 000 reads. A loop's spin never overshoots (it stops at the next
# timer): its cost grows faster, ending a wait of seconds in under a thousand
# iterations past the allowance.
READ_COST = 1e-6
READ_FRACTION = 2000
SPIN_COST = 1e-5
SPIN_FRACTION = 100

# Default virtual-time budget of one run: far above any exercise (a few
# seconds), far below what a polling livelock reaches in a fraction of a real
# second.
DEFAULT_BUDGET = 600.0


class VirtualClock:
    """The simulated time of one test: starts at 0.0 and only moves forward."""

    def __init__(
        self,
        *,
        is_user_file: Callable[[str], bool] = lambda f: not is_library_file(f),
    ) -> None:
        self.now = 0.0
        self.is_user_file = is_user_file
        self._deadline = math.inf
        self._budget = math.inf
        self.blocking: list[BlockingCall] = []
        # The virtual loop running right now, if any (one at a time per test).
        self.running: VirtualEventLoop | None = None
        self._loop_thread: int | None = None
        # Set by the grader's diagnostics for the test; None: nothing watches.
        self.observer: LoopObserver | None = None
        # While observed: the callbacks run so far, the latest one, and each
        # start of a loop with the thread's CPU time then, read by the
        # diagnostics' sampler thread.
        self.steps = 0
        self.step: asyncio.Handle | None = None
        self.run_start: tuple[int, float] = (0, 0.0)
        # Busy waits: clock reads since the step began or the program last
        # waited, and the blocking record (its index and start) each kind of
        # spin extends.
        self.reads = 0
        self._owner = threading.get_ident()  # the thread a synchronous program runs on
        self._read_spin: tuple[int, float] | None = None
        self._loop_spin: tuple[int, float] | None = None

    def loop_thread(self) -> int | None:
        """The thread a virtual loop is running on right now, if any."""
        return self._loop_thread if self.running is not None else None

    def on_loop_thread(self) -> bool:
        """True while a virtual loop runs on the calling thread (a coroutine, a loop callback)."""
        return self.running is not None and threading.get_ident() == self._loop_thread

    # -- moving time ---------------------------------------------------------
    def advance_to(self, when: float) -> None:
        when = round(when, 6)
        if when <= self.now:
            return
        if when > self._deadline:
            # Stay past the deadline: every later attempt fails the same way.
            raise TimeBudgetError(self._budget)
        self.now = when

    def advance(self, delta: float) -> None:
        self.advance_to(self.now + delta)

    def waited(self) -> None:
        """A new step, a sleep, a jump: the program let go of the processor; reads start over."""
        self.reads = 0
        self._read_spin = None

    def idle(self) -> None:
        """Nothing was ready and the loop jumped to its next timer: no loop is spinning."""
        self.waited()
        self._loop_spin = None

    # -- busy waits --------------------------------------------------------------
    def read(self) -> None:
        """The program read the time (`perf_counter`, `time.time`, `datetime.now`...)."""
        owner = self._loop_thread if self.running is not None else self._owner
        if threading.get_ident() != owner:
            return  # a worker thread: the clock stands still while it runs real code
        self.reads += 1
        if self.reads <= FREE_READS:
            return
        if self._read_spin is None:
            loop = self.running
            held = self._held(loop) if loop is not None else ()
            where = user_location(sys._getframe(1), self.is_user_file)
            self._read_spin = self._start_spin(where, held)
        self._read_spin = self._spin(self._read_spin, READ_COST, READ_FRACTION, math.inf)

    def loop_spun(self, where: Callable[[], Location | None], next_timer: float) -> None:
        """The loop went round once more without waiting while a timer is pending."""
        if self._loop_spin is None:
            self._loop_spin = self._start_spin(where(), ())
        self._loop_spin = self._spin(self._loop_spin, SPIN_COST, SPIN_FRACTION, next_timer)

    def _start_spin(self, where: Location | None, held: tuple[str, ...]) -> tuple[int, float]:
        self.blocking.append(BlockingCall(where, 0.0, held, self.now, spinning=True))
        return len(self.blocking) - 1, self.now

    def _spin(
        self, spin: tuple[int, float], cost: float, fraction: int, until: float
    ) -> tuple[int, float]:
        """One more step of a busy wait; `spin` is its record's index and when its pace began."""
        index, pace = spin
        self.advance_to(min(self.now + max(cost, (self.now - pace) / fraction), until))
        record = self.blocking[index]
        record.duration = round(self.now - record.at, 6)
        # At a timer the pace starts over: what the timer wakes runs within a
        # few iterations, as it would in real time, not a growing step later.
        return index, (self.now if self.now >= until else pace)

    @contextmanager
    def budget(self, seconds: float = DEFAULT_BUDGET) -> Iterator[None]:
        """Limit the virtual time the enclosed run may take."""
        previous = self._deadline, self._budget
        self._deadline, self._budget = self.now + seconds, seconds
        try:
            yield
        finally:
            self._deadline, self._budget = previous

    # -- loops -----------------------------------------------------------------
    def new_event_loop(self) -> VirtualEventLoop:
        return VirtualEventLoop(self)

    # -- time.sleep --------------------------------------------------------------
    def sleep(self, seconds: float) -> None:
        """What `time.sleep` does on the virtual clock."""
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        loop = self.running
        if loop is None or threading.get_ident() == self._loop_thread:
            if loop is not None and not math.isinf(seconds):
                self._record_blocking(loop, seconds)
            if math.isinf(seconds):
                raise DeadlockError([])
            # Outside any loop (a plain synchronous program) or on the loop's
            # own thread: time passes and nothing else runs meanwhile.
            self.advance(seconds)
            self.waited()
            return
        loop.park_thread(seconds)

    def _record_blocking(self, loop: VirtualEventLoop, seconds: float) -> None:
        where = user_location(sys._getframe(2), self.is_user_file)
        self.blocking.append(BlockingCall(where, seconds, self._held(loop), self.now))

    def _held(self, loop: VirtualEventLoop) -> tuple[str, ...]:
        """The student's tasks that cannot run while the current one holds the loop."""
        current = asyncio.current_task(loop)
        return tuple(
            sorted(
                label
                for t in asyncio.all_tasks(loop)
                if t is not current
                and not t.done()
                and (label := task_label(t, self.is_user_file)) is not None
            )
        )
