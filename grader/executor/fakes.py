"""Stand-ins the executor puts in the student's module for one call, and what they record.

A test asks for them by name in its `protocol.Call` (`spies`, `fakes`,
`queues`); they are built here, from plain data, so that no code of the
test's ever runs next to the student's. Their names are the names of the
functions they stand for, so tracebacks and "never awaited" messages read as
the student expects. This file is not the student's: the clock's location
helpers skip its frames.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any

from grader import protocol as p
from grader.executor.clock import VirtualClock


def _plain(value: Any) -> Any:
    """A copy of a value as the judge will see it (plain data, the rest opaque)."""
    return p.decode_value(p.encode_value(value))


def _same(a: Any, b: Any) -> bool:
    """Equal as data, lists and tuples alike (the student may pass either)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


class Recorder:
    """Every call of the spies and fakes of one Call, with absolute virtual times."""

    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self._calls: dict[str, list[list[Any]]] = {}

    def start(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        # Copied at call time: the student may change an argument afterwards.
        entry = [tuple(_plain(a) for a in args), _plain_kwargs(kwargs), self._clock.now, None]
        self._calls.setdefault(name, []).append(entry)
        return entry

    def finish(self, entry: list[Any]) -> None:
        entry[3] = self._clock.now

    def snapshot(self) -> dict[str, tuple[p.Recorded, ...]]:
        return {
            name: tuple(p.Recorded(e[0], e[1], round(e[2], 6), _round(e[3])) for e in entries)
            for name, entries in self._calls.items()
        }


def _round(t: float | None) -> float | None:
    return None if t is None else round(t, 6)


def _plain_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {str(k): _plain(v) for k, v in kwargs.items()}


def make_spy(name: str, original: Callable[..., Any], recorder: Recorder) -> Callable[..., Any]:
    """Wraps the student's own function: records each call, changes nothing else."""
    if inspect.iscoroutinefunction(original):

        async def spy_async(*args: Any, **kwargs: Any) -> Any:
            entry = recorder.start(name, args, kwargs)
            try:
                return await original(*args, **kwargs)
            finally:
                recorder.finish(entry)

        spy_async.__name__ = spy_async.__qualname__ = name
        return spy_async

    def spy(*args: Any, **kwargs: Any) -> Any:
        entry = recorder.start(name, args, kwargs)
        try:
            return original(*args, **kwargs)
        finally:
            recorder.finish(entry)

    spy.__name__ = spy.__qualname__ = name
    return spy


def make_fake(spec: p.FakeSpec, recorder: Recorder) -> Callable[..., Any]:
    """A function that waits and answers as `spec` says, recording its calls."""

    def answer(args: tuple[Any, ...]) -> tuple[float, Any]:
        if args:
            key = _plain(args[0])
            for row_key, delay, result in spec.rows:
                if _same(key, row_key):
                    return delay, result
        return spec.default_delay, spec.default_result

    if spec.asynchronous:

        async def fake_async(*args: Any, **kwargs: Any) -> Any:
            entry = recorder.start(spec.name, args, kwargs)
            delay, result = answer(args)
            await asyncio.sleep(delay)
            recorder.finish(entry)
            return _plain(result)

        fake_async.__name__ = fake_async.__qualname__ = spec.name
        return fake_async

    def fake(*args: Any, **kwargs: Any) -> Any:
        entry = recorder.start(spec.name, args, kwargs)
        delay, result = answer(args)
        # Blocking on purpose: it stands for a function that blocks.
        time.sleep(delay)
        recorder.finish(entry)
        return _plain(result)

    fake.__name__ = fake.__qualname__ = spec.name
    return fake


class RecordingQueue(asyncio.Queue):  # type: ignore[type-arg]
    """A queue that records each item put, with the virtual time."""

    def __init__(self, clock: VirtualClock) -> None:
        super().__init__()
        self._clock = clock
        self.puts: list[p.Put] = []

    # `put` ends in `put_nowait`: one spy sees both ways of putting.
    def put_nowait(self, item: Any) -> None:
        self.puts.append(p.Put(round(self._clock.now, 6), _plain(item)))
        super().put_nowait(item)

    def snapshot(self) -> tuple[p.Put, ...]:
        return tuple(self.puts)

    def __repr__(self) -> str:
        return "asyncio.Queue()"


async def drain(queue: asyncio.Queue[Any]) -> None:
    """Takes every item out as it comes, as consumers would."""
    while True:
        await queue.get()
        queue.task_done()
