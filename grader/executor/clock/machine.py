"""`TimeMachine`: a whole process put on virtual time with freezegun, one fresh clock per test."""

from __future__ import annotations

import asyncio
import calendar
import datetime as _dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import freezegun
import freezegun.api

from grader.executor.clock.virtual_clock import VirtualClock

# The frozen wall clock starts here for every test: a fixed date keeps
# `datetime.now()` and `time.time()` deterministic too.
EPOCH = _dt.datetime(2026, 1, 5, 9, 0, 0)
_EPOCH_SECONDS_INT = calendar.timegm(EPOCH.timetuple())
_EPOCH_SECONDS = float(_EPOCH_SECONDS_INT)

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


class _CountedFactory:
    """The time freezegun hands out: the clock of the moment's, each read counted."""

    __slots__ = ("_machine",)

    def __init__(self, machine: TimeMachine) -> None:
        self._machine = machine

    def __call__(self) -> _dt.datetime:
        clock = self._machine.clock
        clock.read()
        return EPOCH + _dt.timedelta(microseconds=round(clock.now * 1e6))


class VirtualEventLoopPolicy(asyncio.DefaultEventLoopPolicy):
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
