"""`cpu-bound`: a step of a coroutine that computes for long without giving the loop back.

The loop's thread only counts the callbacks it runs; a sampler thread reads
that thread's CPU clock every few milliseconds and charges the time to the
callback running. CPU time, because a loaded machine slows the code down
without giving it more CPU seconds to use: the verdict does not flip under
load. The sampler also notes where a long step is; that place is then
widened to the loop that holds the line, so where a look falls does not
matter.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import types
import weakref
from dataclasses import dataclass

from grader.executor.clock import STEP_CODE, Location, VirtualClock, line_location
from grader.executor.diagnostics.common import SEE_PITFALLS, Context, Patches, quoted
from grader.executor.diagnostics.detector import Detector

# CPU seconds one step of a coroutine may hold the loop before it is reported:
# ordinary steps take microseconds, so noise never comes near it.
CPU_THRESHOLD = 0.25
# CPU seconds into a step when the sampler notes where it is.
_SAMPLE_AFTER = 0.1
# Real seconds between two looks of the sampler.
_LOOK_EVERY = 0.01
# Real time for the sampler where there is no per-thread CPU clock: taken
# before the grader's time patches, which make time.monotonic virtual.
_real_monotonic = time.monotonic


@dataclass
class _Look:
    """What the sampler saw of the loop thread at one look."""

    clock: VirtualClock
    run: int  # which start of a loop on that clock: a new run is not the same step
    thread: int
    steps: int  # callbacks begun so far
    cpu: float  # the loop thread's CPU seconds (real seconds where there is no CPU clock)


@dataclass
class _Track:
    """The CPU time charged to one callback of the loop, look after look."""

    clock: VirtualClock
    steps: int
    # Weak: the sampler keeps a track from one look to the next, past the end
    # of the test, and a strong reference to the step would keep its task
    # (and an exception nobody retrieved) alive past the test's collection,
    # so the report would depend on when the sampler last looked.
    handle: weakref.ref[asyncio.Handle] | None
    used: float = 0.0
    # The outermost frame of the student's code in the step: (file, line, function, first line).
    sample: tuple[str, int, str, int] | None = None
    reported: bool = False


class CpuBound(Detector):
    """The sampler thread, for the whole session, and what it reports."""

    def __init__(self, ctx: Context, threshold: float = CPU_THRESHOLD) -> None:
        super().__init__(ctx)
        self.threshold = threshold
        self._cpu_clocks: dict[int, int | None] = {}
        self._sampler: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self, patches: Patches) -> None:
        self._stopping.clear()
        self._sampler = threading.Thread(target=self._sample, name="grader-sampler", daemon=True)
        self._sampler.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._sampler is not None:
            self._sampler.join(timeout=1.0)
            self._sampler = None

    def _sample(self) -> None:
        """The sampler thread: charges the loop thread's CPU time to the step that used it.

        Between two looks the loop thread ran the callbacks the step counter
        says; all the CPU time of the interval goes to the one running (or
        last begun) at the second look. The loop thread cannot get far ahead
        of a look: when this thread asks for the interpreter lock, the loop
        thread hands it over within the switch interval, unless it is inside
        one long call into C, and then that call is the step's own work.
        """
        last: _Look | None = None
        track: _Track | None = None
        while not self._stopping.wait(_LOOK_EVERY):
            # Held while it looks, so that the test's diagnostics are collected between looks.
            with self.ctx.lock:
                try:
                    last, track = self._look(last, track)
                except Exception:  # a diagnostic must never break the grading
                    last, track = None, None

    def _look(self, last: _Look | None, track: _Track | None) -> tuple[_Look | None, _Track | None]:
        clock = self.ctx.clock
        thread = clock.loop_thread() if clock is not None else None
        if clock is None or thread is None:
            return None, None
        (run, run_cpu), steps, handle = clock.run_start, clock.steps, clock.step
        cpu, per_thread = self._thread_cpu(thread)
        now = _Look(clock, run, thread, steps, cpu)
        if last is not None and (last.clock, last.run, last.thread) == (clock, run, thread):
            since = last.cpu
        elif per_thread:
            since = run_cpu  # a loop started since the last look: charge from its start
        else:
            return now, None
        if track is None or track.clock is not clock or track.steps != steps:
            track = _Track(clock, steps, weakref.ref(handle) if handle is not None else None)
        track.used += cpu - since
        if track.used >= _SAMPLE_AFTER and track.sample is None:
            frame = sys._current_frames().get(thread)
            if clock.steps == steps:
                track.sample = self._step_frame(frame)
        if track.used >= self.threshold and not track.reported:
            track.reported = True
            self._report(track)
        return now, track

    def _thread_cpu(self, thread: int) -> tuple[float, bool]:
        """The loop thread's CPU time, and whether it is that (else real time)."""
        if thread not in self._cpu_clocks:
            try:
                self._cpu_clocks[thread] = time.pthread_getcpuclockid(thread)
            except (AttributeError, OSError):  # no per-thread CPU clock here (macOS, Windows)
                self._cpu_clocks[thread] = None
        cpu_clock = self._cpu_clocks[thread]
        if cpu_clock is not None:
            return time.clock_gettime(cpu_clock), True
        return _real_monotonic(), False

    def _step_frame(self, frame: types.FrameType | None) -> tuple[str, int, str, int] | None:
        """The outermost frame of the student's code inside the running step.

        The outermost one, because it stays put while the step runs (the line
        that calls the heavy helper), where the innermost one moves with it.
        """
        found = None
        while frame is not None:
            code = frame.f_code
            if code is STEP_CODE:
                return found
            if self.ctx.is_user_file(code.co_filename):
                found = (code.co_filename, frame.f_lineno, code.co_name, code.co_firstlineno)
            frame = frame.f_back
        return None  # between two steps

    def _report(self, track: _Track) -> None:
        where = None
        if track.sample is not None:
            filename, line, function, first = track.sample
            where = line_location(filename, self.ctx.steady_line(filename, line, first), function)
        else:
            # No sample: one long call into C kept the sampler out. Name the
            # function the step ran, which does not depend on when we looked.
            where = self._callback_location(track.handle() if track.handle is not None else None)
        if where is None:
            return
        self.ctx.add(
            "cpu-bound",
            where,
            f"{quoted(where)} calcule sans rendre la main : plus de {self.threshold:g} s "
            "de processeur d'affilée sur l'event loop, pendant lesquelles aucune autre tâche "
            "n'avance. Confiez le calcul à un exécuteur : « await asyncio.to_thread(f, ...) », "
            "ou « loop.run_in_executor(ProcessPoolExecutor(), f, ...) » pour un vrai calcul "
            f"({SEE_PITFALLS}).",
        )

    def _callback_location(self, handle: asyncio.Handle | None) -> Location | None:
        callback = getattr(handle, "_callback", None)
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, asyncio.Task):
            code = getattr(owner.get_coro(), "cr_code", None)
        else:
            code = getattr(callback, "__code__", None)
        if code is None or not self.ctx.is_user_file(code.co_filename):
            return None
        return line_location(code.co_filename, code.co_firstlineno, code.co_name)
