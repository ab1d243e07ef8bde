"""`VirtualEventLoop`: an asyncio selector loop that jumps to its next timer instead of waiting.

It also counts the real work in flight (worker threads, subprocesses) during
which the clock must stand still, breaks ties between equal deadlines by
scheduling order, and tells the clock's observer about tasks and steps.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import selectors
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from grader.executor.clock.errors import BusyLoopError, DeadlockError, Location, StuckTask
from grader.executor.clock.locations import line_location, task_location, task_order, user_frame

if TYPE_CHECKING:
    from grader.executor.clock.virtual_clock import VirtualClock


# How long the loop waits, in real time, between two looks at real work in
# flight (a worker thread, a subprocess). Only latency, never a verdict.
REAL_POLL = 0.05

# A loop that runs this many iterations without time moving, and with no
# timer that could end the spin, is spinning for ever
# (`while True: await asyncio.sleep(0)`).
MAX_SPINS = 50_000

# The step of the clock: deadlines and every time the program reads.
GRID = 1e-6

# Loop iterations that never wait, allowed for free before a spin costs
# virtual time (see FREE_READS in virtual_clock.py for the clock reads').
FREE_SPINS = 2_000


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
        self._joining = 0  # shutdowns of the default executor under way

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
            # No step runs any more: the last one must not keep its task (and
            # what it raised) alive until the clock itself goes.
            clock.step = None

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
        if len(real.get_map()) > 1 or self._joining:
            # Sockets of the program's own (beyond the loop's self-pipe): data
            # may still arrive from the kernel. Or a shutdown of the default
            # executor is joining threads that have just ended.
            return real.select(REAL_POLL)
        if self._clock.observer is not None:
            self._clock.observer.deadlock(self)
        raise DeadlockError(self._stuck_tasks())

    def _stuck_tasks(self) -> list[StuckTask]:
        tasks = sorted((t for t in asyncio.all_tasks(self) if not t.done()), key=task_order)
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
        # The stock version waits for the worker threads under a virtual
        # timeout, which the clock would jump past. Here the loop keeps
        # running while a helper thread joins them: a worker still asleep on a
        # virtual timer (a job the student never awaited) is woken when the
        # clock gets there, as in real time, instead of being waited for by a
        # loop that can no longer wake it. The join itself is no real work
        # (the clock may jump while it waits), but while it lasts, nothing
        # left to run is no deadlock: its end is on its way.
        self._executor_shutdown_called = True
        executor = self._default_executor
        if executor is None:
            return
        self._default_executor = None
        joined = self.create_future()
        self._joining += 1

        def finished() -> None:
            self._joining -= 1
            if not joined.done():
                joined.set_result(None)

        def join() -> None:
            try:
                executor.shutdown(wait=True)
            finally:
                self.call_soon_threadsafe(finished)

        thread = threading.Thread(target=join, name="arret-executeur", daemon=True)
        thread.start()
        # Not joined when the wait is cut short (the clean-up's budget): a
        # worker that never ends is the real-time limit's to stop, not ours.
        await joined
        thread.join()

    async def _make_subprocess_transport(self, *args: Any, **kwargs: Any) -> Any:
        transport = await super()._make_subprocess_transport(*args, **kwargs)
        self._children += 1
        exited = transport._process_exited

        def process_exited(returncode: int) -> None:
            self._children -= 1
            exited(returncode)

        transport._process_exited = process_exited
        return transport
