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

One concept per module: `errors` (verdicts, blocking records, the observer's
hooks), `locations` (the student's line), `virtual_clock` (time and busy
waits), `loop` (the event loop), `machine` (freezegun and the process).
"""

from grader.executor.clock.errors import (
    BlockingCall,
    BusyLoopError,
    DeadlockError,
    Location,
    LoopObserver,
    StuckTask,
    TimeBudgetError,
    VirtualTimeError,
)
from grader.executor.clock.locations import (
    line_location,
    task_label,
    task_location,
    task_order,
    traceback_location,
    user_frame,
    user_location,
)
from grader.executor.clock.loop import GRID, STEP_CODE, VirtualEventLoop
from grader.executor.clock.machine import EPOCH, TimeMachine, VirtualEventLoopPolicy
from grader.executor.clock.virtual_clock import DEFAULT_BUDGET, VirtualClock

__all__ = [
    "DEFAULT_BUDGET",
    "EPOCH",
    "GRID",
    "STEP_CODE",
    "BlockingCall",
    "BusyLoopError",
    "DeadlockError",
    "Location",
    "LoopObserver",
    "StuckTask",
    "TimeBudgetError",
    "TimeMachine",
    "VirtualClock",
    "VirtualEventLoop",
    "VirtualEventLoopPolicy",
    "VirtualTimeError",
    "line_location",
    "task_label",
    "task_location",
    "task_order",
    "traceback_location",
    "user_frame",
    "user_location",
]
