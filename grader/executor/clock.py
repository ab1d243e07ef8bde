"""The virtual clock: asyncio programs judged on simulated time.

Why: the grader must say "these downloads ran at the same time" or "this line was
printed at t=1.20 s" the same way on an idle laptop and on a loaded CI runner,
and grade a five-second program in milliseconds. So the event loop below never
waits for a timer in real time: when nothing is ready to run, it jumps its clock
straight to the earliest timer. Everything the student can read time from
(`time.perf_counter`, `time.monotonic`, `time.time`, `datetime.now`, including
names imported with `from time import perf_counter`) is frozen by freezegun and
moved with that clock, so the student's own measurements agree with the loop's
to the microsecond.

What the jump must not hide:

- A blocking `time.sleep(d)` on the event loop advances the clock by `d` without
  letting any other task run, exactly as it holds a real program up; it is
  recorded (file, line, which tasks it held up) for the report.
- When no task is ready, no timer is set and no real work is in flight, nothing
  can ever happen again: that is a deadlock, raised at once and naming each
  stuck task and the student's line it waits at. A timer at infinity
  (`asyncio.sleep(math.inf)`, a server that never answers) is not a wake-up.
- While a worker thread (`to_thread`, `run_in_executor`) or a subprocess is
  running real code, the clock stands still and the loop waits for it in real
  time, so thread speed never changes a verdict. A worker thread calling
  `time.sleep` is parked on a virtual timer instead.
- A program that waits by keeping the processor busy works in real time, only
  slowly: `while time.perf_counter() < fin: pass` ends when the clock gets
  there, and `while not fini: await asyncio.sleep(0)` ends when a pending
  timeout fires. Virtual CPU work is free, so such a program would never end
  here. Past a free allowance (`FREE_READS` clock reads within one step,
  `FREE_SPINS` loop iterations without a wait), each further read or
  iteration costs virtual time, a little at first and then a fixed fraction of
  the time already spent spinning, so the wait ends after a few thousand
  steps whatever its length, overshooting by at most 1/`READ_FRACTION` of it.
  Each such wait is recorded at its line as a blocking call that spins.
- A polling loop that never ends (`while not done: await asyncio.sleep(0.01)`)
  would run forever in virtual time: a virtual-time budget per run stops it, and
  a loop that spins with nothing that could ever end it (no timer pending) stops
  after a fixed number of iterations. Both counts are deterministic, unlike a
  real-time limit.

Deadlines sit on a 1 µs grid, so `0.1 + 0.2` seconds fires at 0.3, and equal
deadlines fire in the order they were scheduled. A timer set for a positive
delay always lets time pass: a delay smaller than the grid (a deadline loop's
`limite - time.perf_counter()` left with float noise) fires one grid step
later, never at the same instant, so every clock read after it shows at least
the deadline the program computed.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as _dt
import heapq
import linecache
import math
import os
import re
import selectors
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import freezegun
import freezegun.api

from grader import source
from grader.protocol import Stuck, Where
from grader.wording import busy_loop_text, deadlock_text, time_budget_text

# The frozen wall clock starts here for every test: a fixed date keeps
# `datetime.now()` and `time.time()` deterministic too.
EPOCH = _dt.datetime(2026, 1, 5, 9, 0, 0)
_EPOCH_SECONDS_INT = calendar.timegm(EPOCH.timetuple())
_EPOCH_SECONDS = float(_EPOCH_SECONDS_INT)

# How long the loop waits, in real time, between two looks at real work in
# flight (a worker thread, a subprocess). Only latency, never a verdict.
REAL_POLL = 0.05

# A loop that runs this many iterations without time moving, and with no
# timer that could end the spin, is spinning for ever
# (`while True: await asyncio.sleep(0)`).
MAX_SPINS = 50_000

# The step of the clock: deadlines and every time the program reads.
GRID = 1e-6

# What a busy wait may do for free before it costs virtual time: clock reads
# within one step of the loop (or of a synchronous program between two
# sleeps), and loop iterations that never wait. Far above what an honest
# program does at one instant (a few dozen prints with their times, a queue
# of a few hundred items), far below what a busy wait does in a few real
# milliseconds.
FREE_READS = 10_000
FREE_SPINS = 2_000

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

# Modules freezegun must leave alone when it swaps time functions in loaded
# modules: the standard library's own waits (thread joins, queue timeouts,
# subprocess timeouts) must keep real time or they would never end.
_FREEZEGUN_IGNORE = (
    "threading",
    "queue",
    "subprocess",
    "concurrent.futures",
    "selectors",
    "multiprocessing",
    "faulthandler",
    "_pytest",
    "pluggy",
)


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


# The names asyncio gives tasks nobody named; they say nothing to a student.
_AUTO_TASK_NAME = re.compile(r"Task-\d+")


def task_label(task: asyncio.Task[Any], is_user_file: Callable[[str], bool]) -> str | None:
    """A task as the student knows it: the name they gave it, or their coroutine's name.

    None for a task that runs none of the student's code (the grader's own).
    """
    coro: Any = task.get_coro()
    while coro is not None:
        code = getattr(coro, "cr_code", None) or getattr(coro, "ag_code", None)
        if code is not None and is_user_file(code.co_filename):
            name = task.get_name()
            if not _AUTO_TASK_NAME.fullmatch(name):
                return name
            # `producteur.<locals>.recuperer` reads as `recuperer` to its author.
            return str(getattr(coro, "__qualname__", code.co_name)).rpartition("<locals>.")[2]
        coro = getattr(coro, "cr_await", None)
    return None


def _is_library_file(filename: str) -> bool:
    return (
        filename.startswith(sys.prefix)
        or filename.startswith(sys.base_prefix)
        or filename.startswith("<")
        or "site-packages" in filename
        or os.sep + "grader" + os.sep in filename
    )


def user_frame(
    frame: types.FrameType | None, is_user_file: Callable[[str], bool]
) -> tuple[str, int, str] | None:
    """The innermost frame of the student's code, from `frame` outwards: file, line, function."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if is_user_file(filename):
            return filename, frame.f_lineno, frame.f_code.co_name
        frame = frame.f_back
    return None


def user_location(
    frame: types.FrameType | None, is_user_file: Callable[[str], bool]
) -> Location | None:
    """The innermost line of the student's code, walking outwards from `frame`, quoted."""
    found = user_frame(frame, is_user_file)
    return line_location(*found) if found is not None else None


def line_location(filename: str, line: int, function: str) -> Location:
    code = source.quoted_line(lambda n: linecache.getline(filename, n), line)
    return Location(os.path.basename(filename), line, function, code)


def task_location(task: asyncio.Task[Any], is_user_file: Callable[[str], bool]) -> Location | None:
    """Where a suspended task waits: the innermost student line of its await chain."""
    best: Location | None = None
    coro: Any = task.get_coro()
    # Follow the chain of awaits down to the innermost coroutine.
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
        if frame is not None and is_user_file(frame.f_code.co_filename):
            best = line_location(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
        coro = getattr(coro, "cr_await", None)
    return best


class VirtualClock:
    """The simulated time of one test: starts at 0.0 and only moves forward."""

    def __init__(
        self,
        *,
        is_user_file: Callable[[str], bool] = lambda f: not _is_library_file(f),
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


class _Observed:
    """A loop callback that says it runs, when the clock is observed."""

    __slots__ = ()

    def _run(self) -> None:
        clock = self._loop._clock  # type: ignore[attr-defined]
        clock.waited()  # each step starts its own count of clock reads
        if clock.observer is not None:
            # Two stores, read by the diagnostics' sampler thread: any clock
            # read here would cost more than a busy loop can afford.
            clock.steps += 1
            clock.step = self
        super()._run()  # type: ignore[misc]


# The frame a loop callback runs in: where a step begins, reading a stack outwards.
STEP_CODE = _Observed._run.__code__


class _Handle(_Observed, asyncio.Handle):
    __slots__ = ()


class _ObservedTask(asyncio.Task):  # type: ignore[type-arg]
    """A task that knows where the student created it and tells the observer when cancelled."""

    # On the task itself: a finalizer ("exception was never retrieved") may
    # run after the collector has cleared every weak reference to it.
    __slots__ = ("_created",)
    # Where the student's code created it, as (file, line, function): quoted
    # only when a diagnostic names it, since most tasks are never named and a
    # quote reads and tokenizes the line.
    _created: tuple[str, int, str] | None

    @property
    def created_at(self) -> Location | None:
        return line_location(*self._created) if self._created is not None else None

    def cancel(self, msg: Any | None = None) -> bool:
        if not self.done():
            observer = self.get_loop()._clock.observer  # type: ignore[attr-defined]
            if observer is not None:
                observer.task_cancelling(self)
        return super().cancel(msg)


# asyncio words its messages and reprs with the task's class name ("Task
# exception was never retrieved", "<Task pending ...>"): keep them as they are.
_ObservedTask.__name__ = _ObservedTask.__qualname__ = "Task"


class _OrderedTimer(_Observed, asyncio.TimerHandle):
    """A timer that breaks ties between equal deadlines by scheduling order."""

    __slots__ = ("_seq",)

    def __init__(self, seq: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seq = seq

    def __lt__(self, other: object) -> bool:
        if isinstance(other, _OrderedTimer):
            return (self._when, self._seq) < (other._when, other._seq)
        return super().__lt__(other)  # type: ignore[operator]


class _VirtualSelector:
    """Stands between the loop and the real selector: where waiting becomes a jump."""

    def __init__(self, loop: VirtualEventLoop, real: selectors.BaseSelector) -> None:
        self._loop = loop
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout == 0:
            return self._real.select(0)
        return self._loop._wait(self._real)


class VirtualEventLoop(asyncio.SelectorEventLoop):  # type: ignore[misc,valid-type]
    """A selector event loop whose `time()` is a `VirtualClock`."""

    def __init__(self, clock: VirtualClock) -> None:
        super().__init__()
        self._clock = clock
        self._selector = _VirtualSelector(self, self._selector)
        self._timer_seq = 0
        self._spins = 0
        self._jobs = 0  # executor jobs submitted and not finished
        self._parked = 0  # of those, threads asleep on a virtual timer
        self._children = 0  # subprocesses still running

    # -- the clock ---------------------------------------------------------------
    def time(self) -> float:
        return self._clock.now

    def call_at(
        self, when: float, callback: Callable[..., object], *args: Any, context: Any = None
    ) -> asyncio.TimerHandle:
        if when is None:
            raise TypeError("when cannot be None")
        self._check_closed()
        self._timer_seq += 1
        now, on_grid = self._clock.now, round(when, 6)
        if on_grid <= now < when:
            # A positive delay under the grid must still let time pass, or a
            # deadline loop would find its deadline unreached at the same instant.
            on_grid = round(now + GRID, 6)
        timer = _OrderedTimer(self._timer_seq, on_grid, callback, args, self, context)
        if timer._source_traceback:
            del timer._source_traceback[-1]
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True
        return timer

    def _call_soon(
        self, callback: Callable[..., object], args: tuple[Any, ...], context: Any
    ) -> asyncio.Handle:
        handle = _Handle(callback, args, self, context)
        if handle._source_traceback:
            del handle._source_traceback[-1]
        self._ready.append(handle)
        return handle

    def create_task(
        self, coro: Any, *, name: str | None = None, context: Any = None
    ) -> asyncio.Task[Any]:
        observer = self._clock.observer
        if observer is None or self._task_factory is not None:
            return super().create_task(coro, name=name, context=context)  # type: ignore[no-any-return]
        self._check_closed()
        task = _ObservedTask(coro, loop=self, name=name, context=context)
        if task._source_traceback:
            del task._source_traceback[-1]
        task._created = user_frame(sys._getframe(1), self._clock.is_user_file)
        return task

    def run_until_complete(self, future: Any) -> Any:
        result = super().run_until_complete(future)
        if self._clock.observer is not None:
            self._clock.observer.run_returned(self)
        return result

    def call_exception_handler(self, context: dict[str, Any]) -> None:
        if self._clock.observer is not None:
            self._clock.observer.exception(self, context)
        super().call_exception_handler(context)

    def run_forever(self) -> None:
        clock = self._clock
        outer = clock.running, clock._loop_thread
        clock.running, clock._loop_thread = self, threading.get_ident()
        if clock.observer is not None:
            clock.run_start = (clock.run_start[0] + 1, time.thread_time())
        try:
            super().run_forever()
        finally:
            clock.running, clock._loop_thread = outer

    def _run_once(self) -> None:
        clock = self._clock
        self._spins += 1
        if self._spins > FREE_SPINS and self._ready:
            when = self._next_timer()
            if math.isfinite(when) and not self._real_work():
                # Spinning while a timeout is pending: in real time the timeout
                # fires in the end; here the spin costs the time it would take.
                clock.loop_spun(self._spinning_location, when)
                super()._run_once()
                return
        if self._spins > MAX_SPINS:
            self._spins = 0
            raise BusyLoopError(self._spinning_location())
        super()._run_once()

    def _next_timer(self) -> float:
        return min((t._when for t in self._scheduled if not t._cancelled), default=math.inf)

    def _real_work(self) -> bool:
        """Real code runs in a worker thread or a subprocess right now."""
        return self._jobs - self._parked > 0 or self._children > 0

    def _spinning_location(self) -> Location | None:
        # The spinning task is one whose next step is queued right now; any
        # other task is merely waiting and would name an innocent line.
        for handle in self._ready:
            task = getattr(getattr(handle, "_callback", None), "__self__", None)
            if isinstance(task, asyncio.Task):
                where = task_location(task, self._clock.is_user_file)
                if where is not None:
                    return where
        return None

    def _wait(self, real: selectors.BaseSelector) -> list[tuple[selectors.SelectorKey, int]]:
        """Nothing is ready: wait for real work in flight, or jump to the next timer."""
        events = real.select(0)
        if events:
            return events
        if self._real_work():
            # Real code is running in a thread or a subprocess: virtual time
            # stands still until it reports back (through the self-pipe).
            return real.select(REAL_POLL)
        when = self._scheduled[0]._when if self._scheduled else math.inf
        if math.isfinite(when):
            self._clock.advance_to(when)
            self._clock.idle()
            self._spins = 0
            return []
        if len(real.get_map()) > 1:
            # Sockets of the program's own (beyond the loop's self-pipe): data
            # may still arrive from the kernel.
            return real.select(REAL_POLL)
        if self._clock.observer is not None:
            self._clock.observer.deadlock(self)
        raise DeadlockError(self._stuck_tasks())

    def _stuck_tasks(self) -> list[StuckTask]:
        tasks = sorted(
            (t for t in asyncio.all_tasks(self) if not t.done()), key=lambda t: t.get_name()
        )
        return [StuckTask(t.get_name(), task_location(t, self._clock.is_user_file)) for t in tasks]

    # -- real work in flight -------------------------------------------------------
    def run_in_executor(
        self, executor: Any, func: Callable[..., Any], *args: Any
    ) -> asyncio.Future[Any]:
        future = super().run_in_executor(executor, func, *args)
        self._jobs += 1

        def finished(_: asyncio.Future[Any]) -> None:
            self._jobs -= 1

        future.add_done_callback(finished)
        return future

    def park_thread(self, seconds: float) -> None:
        """A worker thread's `time.sleep`: wake it when the virtual clock gets there."""
        woken = threading.Event()

        def wake() -> None:
            # Counted back on the loop thread, before the worker runs again, so
            # the loop never sees a running worker as parked.
            self._parked -= 1
            woken.set()

        def arm() -> None:
            self._parked += 1
            self.call_later(seconds, wake)

        try:
            self.call_soon_threadsafe(arm)
        except RuntimeError:  # the loop is closed: nobody to wait for
            self._clock.advance(seconds)
            return
        woken.wait()

    async def shutdown_default_executor(self, timeout: float | None = None) -> None:
        # Synchronous on purpose: the stock version waits for the worker
        # threads under a virtual timeout, which the clock would jump past.
        self._executor_shutdown_called = True
        executor = self._default_executor
        if executor is not None:
            self._default_executor = None
            executor.shutdown(wait=True)

    async def _make_subprocess_transport(self, *args: Any, **kwargs: Any) -> Any:
        transport = await super()._make_subprocess_transport(*args, **kwargs)
        self._children += 1
        exited = transport._process_exited

        def process_exited(returncode: int) -> None:
            self._children -= 1
            exited(returncode)

        transport._process_exited = process_exited
        return transport


class _CountedFactory:
    """The time freezegun hands out: the clock of the moment's, each read counted."""

    __slots__ = ("_machine",)

    def __init__(self, machine: TimeMachine) -> None:
        self._machine = machine

    def __call__(self) -> _dt.datetime:
        clock = self._machine.clock
        clock.read()
        return EPOCH + _dt.timedelta(microseconds=round(clock.now * 1e6))


class VirtualEventLoopPolicy(asyncio.DefaultEventLoopPolicy):  # type: ignore[misc,valid-type]
    """So that a student's own `asyncio.run`, `new_event_loop` or `Runner` runs virtual too."""

    def __init__(self, machine: TimeMachine) -> None:
        super().__init__()
        self._machine = machine

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        return self._machine.clock.new_event_loop()


@dataclass
class TimeMachine:
    """Puts a whole process on virtual time, one fresh clock per test.

    Installed once per grading process (freezegun's first freeze scans every
    loaded module, which is slow; later moves are cheap).
    """

    is_user_file: Callable[[str], bool]
    clock: VirtualClock = field(init=False)
    _freezer: Any = field(init=False, default=None)
    _real_sleep: Callable[[float], None] = field(init=False, default=time.sleep)
    _saved_policy: Any = field(init=False, default=None)
    _saved_limit: int = field(init=False, default=5)
    _saved_monotonic: tuple[Any, Any] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.clock = VirtualClock(is_user_file=self.is_user_file)

    def start(self) -> None:
        # With a stack inspection limit, freezegun returns real time to any
        # call made within five frames of an ignored module, and student code
        # is always called from pytest or asyncio frames: never inspect.
        self._saved_limit = freezegun.api.call_stack_inspection_limit
        freezegun.api.call_stack_inspection_limit = 0
        self._freezer = freezegun.freeze_time(EPOCH, ignore=list(_FREEZEGUN_IGNORE))
        self._freezer.start()
        # Every frozen clock function asks the newest factory for the time:
        # one that counts the reads is how a busy wait is seen. The monotonic
        # clocks (perf_counter, monotonic, their _ns) are read from the clock
        # itself, a few times faster than through a datetime: a busy wait
        # reads them tens of thousands of times.
        freezegun.api.freeze_factories[-1] = _CountedFactory(self)  # type: ignore[call-overload]
        self._saved_monotonic = (
            freezegun.api._get_fake_monotonic,
            freezegun.api._get_fake_monotonic_ns,
        )
        freezegun.api._get_fake_monotonic = self._monotonic
        freezegun.api._get_fake_monotonic_ns = self._monotonic_ns
        self._real_sleep = time.sleep
        time.sleep = self._sleep  # type: ignore[assignment]
        self._saved_policy = asyncio.get_event_loop_policy()
        asyncio.set_event_loop_policy(VirtualEventLoopPolicy(self))

    def stop(self) -> None:
        if self._saved_monotonic is not None:
            freezegun.api._get_fake_monotonic, freezegun.api._get_fake_monotonic_ns = (
                self._saved_monotonic
            )
            self._saved_monotonic = None
        asyncio.set_event_loop_policy(self._saved_policy)
        time.sleep = self._real_sleep  # type: ignore[assignment]
        if self._freezer is not None:
            self._freezer.stop()
            self._freezer = None
        freezegun.api.call_stack_inspection_limit = self._saved_limit

    def new_clock(self) -> VirtualClock:
        """A fresh clock at 0.0, with the frozen wall clock back at EPOCH."""
        self.clock = VirtualClock(is_user_file=self.is_user_file)
        return self.clock

    def _sleep(self, seconds: float) -> None:
        self.clock.sleep(seconds)

    def _monotonic(self) -> float:
        # What freezegun's own would return for the frozen datetime, to the digit.
        clock = self.clock
        clock.read()
        return _EPOCH_SECONDS + clock.now

    def _monotonic_ns(self) -> int:
        clock = self.clock
        clock.read()
        return (_EPOCH_SECONDS_INT * 1_000_000 + round(clock.now * 1e6)) * 1000

    def __enter__(self) -> TimeMachine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
