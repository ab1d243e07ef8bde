"""The virtual clock on its own: time jumps, nothing waits for real, nothing fools it.

No test here looks at the wall clock. A sleep of a million virtual seconds is the
proof that no real time passes: were it real, pytest-timeout would stop the test.
"""

from __future__ import annotations

import asyncio
import datetime
import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.executor.clock import (
    BusyLoopError,
    DeadlockError,
    TimeBudgetError,
    TimeMachine,
    VirtualClock,
    VirtualEventLoop,
)

HERE = str(Path(__file__).resolve())
pytestmark = pytest.mark.timeout(20)


@pytest.fixture
def clock() -> Iterator[VirtualClock]:
    machine = TimeMachine(is_user_file=lambda filename: filename == HERE)
    machine.start()
    try:
        yield machine.new_clock()
    finally:
        machine.stop()


def run(clock: VirtualClock, coro: object) -> object:
    loop = clock.new_event_loop()
    try:
        return loop.run_until_complete(coro)  # type: ignore[arg-type]
    finally:
        leftovers = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in leftovers:
            task.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.close()


def test_sleep_takes_exactly_its_virtual_time(clock: VirtualClock) -> None:
    async def main() -> float:
        await asyncio.sleep(1_000_000)
        await asyncio.gather(asyncio.sleep(2), asyncio.sleep(3), asyncio.sleep(1))
        return asyncio.get_running_loop().time()

    assert run(clock, main()) == 1_000_003.0


def test_equal_deadlines_fire_in_scheduling_order_on_a_microsecond_grid(
    clock: VirtualClock,
) -> None:
    order: list[int] = []

    async def main() -> float:
        loop = asyncio.get_running_loop()
        for i in range(20):
            loop.call_later(0.1 + 0.2, order.append, i)
        await asyncio.sleep(0.3)
        await asyncio.sleep(0)
        return loop.time()

    assert run(clock, main()) == 0.3
    assert order == list(range(20))


def test_student_time_functions_read_the_same_clock(clock: VirtualClock) -> None:
    from time import perf_counter  # imported by name, as students do

    async def main() -> list[float]:
        marks = (perf_counter(), time.monotonic(), time.time(), datetime.datetime.now())
        await asyncio.sleep(2.5)
        return [
            perf_counter() - marks[0],
            time.monotonic() - marks[1],
            time.time() - marks[2],
            (datetime.datetime.now() - marks[3]).total_seconds(),
        ]

    assert run(clock, main()) == pytest.approx([2.5, 2.5, 2.5, 2.5], abs=1e-6)


def test_blocking_sleep_holds_every_task_and_is_recorded(clock: VirtualClock) -> None:
    seen: list[float] = []

    async def ticker() -> None:
        await asyncio.sleep(1)
        seen.append(asyncio.get_running_loop().time())

    async def main() -> None:
        task = asyncio.create_task(ticker(), name="ticker")
        await asyncio.sleep(0)
        time.sleep(2)  # the mistake: holds the loop for 2 s
        await task

    run(clock, main())
    assert seen == [2.0]  # the ticker was due at 1.0 but could not run
    [call] = clock.blocking
    assert call.duration == 2 and call.held == ("ticker",)
    assert (
        call.where is not None
        and call.where.code == "time.sleep(2)  # the mistake: holds the loop for 2 s"
    )


def test_synchronous_sleeps_add_up(clock: VirtualClock) -> None:
    start = time.perf_counter()
    time.sleep(2)
    time.sleep(3)
    assert time.perf_counter() - start == pytest.approx(5.0, abs=1e-6)
    assert clock.blocking == []  # no loop was held up


def test_deadlock_is_raised_at_once_naming_tasks_and_lines(clock: VirtualClock) -> None:
    async def consumer(queue: asyncio.Queue[int]) -> None:
        await queue.get()

    async def main() -> None:
        queue: asyncio.Queue[int] = asyncio.Queue()
        await asyncio.gather(consumer(queue), consumer(queue))

    with pytest.raises(DeadlockError) as caught:
        run(clock, main())
    codes = [t.where.code for t in caught.value.tasks if t.where]
    assert codes.count("await queue.get()") == 2
    assert "interblocage" in str(caught.value)


def test_waiting_forever_under_a_timeout_is_not_a_deadlock(clock: VirtualClock) -> None:
    async def main() -> float:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.sleep(math.inf), 2.0)
        future = asyncio.get_running_loop().create_future()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(1.5):
                await future
        return asyncio.get_running_loop().time()

    assert run(clock, main()) == 3.5


def test_polling_livelock_stops_at_the_budget(clock: VirtualClock) -> None:
    async def main() -> None:
        while True:
            try:
                await asyncio.sleep(0.01)
            except Exception:  # a student's catch-all must not swallow the verdict
                pass

    with pytest.raises(TimeBudgetError), clock.budget(50):
        run(clock, main())


def test_spinning_without_time_passing_is_stopped(clock: VirtualClock) -> None:
    async def main() -> None:
        while True:
            await asyncio.sleep(0)

    with pytest.raises(BusyLoopError) as caught:
        run(clock, main())
    assert caught.value.where is not None and "await asyncio.sleep(0)" in caught.value.where.code


def test_a_positive_delay_under_the_grid_still_lets_time_pass(clock: VirtualClock) -> None:
    # A deadline loop: the float noise of `limite - perf_counter()` on an
    # epoch-based clock leaves a few tenths of a microsecond to wait.
    async def main() -> int:
        await asyncio.sleep(0.2)
        limite = time.perf_counter() + 0.4  # 2.4e-7 s past t=0.6 once rounded
        tours = 0
        while (reste := limite - time.perf_counter()) > 0:
            tours += 1
            await asyncio.wait([asyncio.ensure_future(asyncio.sleep(10))], timeout=reste)
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()
            await asyncio.sleep(0.3e-6)  # under the grid too
        assert time.perf_counter() >= limite
        return tours

    assert run(clock, main()) <= 3
    assert clock.now == pytest.approx(0.6, abs=1e-5)
    assert clock.blocking == []


def test_a_cpu_busy_wait_ends_when_its_clock_gets_there(clock: VirtualClock) -> None:
    seen: list[float] = []

    async def ticker() -> None:
        await asyncio.sleep(1)
        seen.append(asyncio.get_running_loop().time())

    async def main() -> float:
        task = asyncio.create_task(ticker(), name="ticker")
        await asyncio.sleep(0)
        fin = time.perf_counter() + 2.5
        while time.perf_counter() < fin:  # the mistake: waits by spinning
            pass
        await task
        return asyncio.get_running_loop().time()

    ended = run(clock, main())
    # As in real time: the wait ends on time (give or take its overshoot) and
    # holds every other task up meanwhile.
    assert ended == pytest.approx(2.5, abs=2.5e-3) and seen == [ended]
    [call] = clock.blocking
    assert call.spinning and call.held == ("ticker",)
    assert call.duration == pytest.approx(2.5, abs=2.5e-3)
    assert call.where is not None and call.where.code.startswith("while time.perf_counter() < fin")


def test_a_synchronous_busy_wait_ends_too(clock: VirtualClock) -> None:
    debut = time.monotonic()
    while time.monotonic() - debut < 4:
        pass
    assert clock.now == pytest.approx(4.0, abs=4e-3)
    [call] = clock.blocking
    assert call.spinning and call.held == ()


def test_a_loop_spinning_on_sleep_0_ends_when_its_timeout_fires(clock: VirtualClock) -> None:
    async def guetter(fini: list[bool]) -> None:
        while not fini:
            await asyncio.sleep(0)

    async def main() -> float:
        fini: list[bool] = []
        asyncio.get_running_loop().call_later(1.5, fini.append, True)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(guetter([]), 3.0)
        await guetter(fini)
        return asyncio.get_running_loop().time()

    # The timer is never overshot: the spin's time stops at the next deadline.
    assert run(clock, main()) == 3.0
    [call] = clock.blocking
    assert call.spinning and call.where is not None
    assert call.where.code == "await asyncio.sleep(0)"


def test_honest_programs_spend_no_time_reading_the_clock(clock: VirtualClock) -> None:
    async def main() -> None:
        for _ in range(500):
            time.perf_counter()
            await asyncio.sleep(0)
        for _ in range(5_000):
            time.time()

    run(clock, main())
    assert clock.now == 0.0 and clock.blocking == []


def test_worker_threads_do_not_move_the_clock(clock: VirtualClock) -> None:
    def cpu() -> int:
        return sum(range(200_000))

    def nap() -> str:
        time.sleep(1.5)  # parked on a virtual timer, not slept for real
        return "done"

    async def main() -> tuple[float, float, list[str]]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.to_thread(cpu)
        after_cpu = loop.time() - start
        naps = await asyncio.gather(asyncio.to_thread(nap), loop.run_in_executor(None, nap))
        return after_cpu, loop.time() - start, naps

    assert run(clock, main()) == (0.0, 1.5, ["done", "done"])


def test_a_worker_never_awaited_is_woken_when_asyncio_run_shuts_down(clock: VirtualClock) -> None:
    # `loop.run_in_executor(...)` without await: the worker is still asleep on
    # a virtual timer when asyncio.run joins the default executor, and must be
    # woken there as it would be in real time, not waited for forever.
    woke: list[float] = []

    def nap() -> None:
        time.sleep(2.0)
        woke.append(time.monotonic())

    async def main() -> None:
        asyncio.get_running_loop().run_in_executor(None, nap)
        await asyncio.sleep(0.5)

    started = time.monotonic()
    asyncio.run(main())
    assert len(woke) == 1 and round(woke[0] - started, 6) == 2.0
    assert clock.now == 2.0


def test_subprocess_runs_and_the_clock_waits_for_it(clock: VirtualClock) -> None:
    async def main() -> tuple[int, bytes]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "print('bonjour')", stdout=asyncio.subprocess.PIPE
        )
        out, _ = await process.communicate()
        return process.returncode or 0, out

    assert run(clock, main()) == (0, b"bonjour\n")


def test_students_own_event_loops_are_virtual(clock: VirtualClock) -> None:
    async def main() -> float:
        await asyncio.sleep(4)
        return asyncio.get_running_loop().time()

    assert asyncio.run(main()) == 4.0
    with asyncio.Runner() as runner:
        assert runner.run(main()) == 8.0
    loop = asyncio.new_event_loop()
    try:
        assert isinstance(loop, VirtualEventLoop)
        assert loop.run_until_complete(main()) == 12.0
    finally:
        loop.close()


def test_each_clock_starts_at_zero_and_the_machine_restores_real_time() -> None:
    machine = TimeMachine(is_user_file=lambda filename: False)
    real_sleep = time.sleep
    with machine:
        first = machine.new_clock()
        first.advance(7)
        second = machine.new_clock()
        assert (first.now, second.now) == (7.0, 0.0)
        assert datetime.datetime.now() == datetime.datetime(2026, 1, 5, 9, 0, 0)
    assert time.sleep is real_sleep
    assert not isinstance(asyncio.new_event_loop(), VirtualEventLoop)
