"""Running one call of the student's code on the virtual clock, and writing down what it did.

This is the executor's half of `grader.judge.harness.run`: the judge sends a
`protocol.Call`, this module calls the function on a fresh virtual event loop
(as `asyncio.run` would), with the requested spies and fakes in the module,
and returns a `protocol.Observation`. Nothing here knows what the test
expects; it only reports.
"""

from __future__ import annotations

import asyncio
import importlib.machinery
import importlib.util
import inspect
import io
import os
import sys
from collections.abc import Awaitable
from dataclasses import dataclass, field
from types import CodeType, ModuleType
from typing import Any, TextIO

from grader import protocol as p
from grader.executor.clock import (
    BusyLoopError,
    DeadlockError,
    TimeBudgetError,
    VirtualClock,
    VirtualEventLoop,
    VirtualTimeError,
    task_location,
    task_order,
)
from grader.executor.failures import error_info, safe_str
from grader.executor.fakes import Recorder, RecordingQueue, drain, make_fake, make_spy
from grader.executor.guard import Guard

# What one run may print before the rest is dropped: enough for any exercise,
# small enough that a flood of output costs neither memory nor time.
MAX_OUTPUT_CHARS = 200_000

# Virtual seconds granted to cancel what a run left behind.
CLEANUP_BUDGET = 30.0


class _StillRunning(Exception):
    """The call was still running at its limit (`Call.limit`)."""


class _TimedOutput(io.TextIOBase):
    """Stands in for sys.stdout: keeps each line with the virtual time it ended."""

    def __init__(self, clock: VirtualClock, t0: float) -> None:
        self._clock = clock
        self._t0 = t0
        self._partial = ""
        self._size = 0
        self.lines: list[p.Printed] = []
        self.truncated = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if type(text) is not str:
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        room = MAX_OUTPUT_CHARS - self._size
        if room <= 0:
            self.truncated = True
            return len(text)
        # Cut before splitting: one 20 MB write must cost no more than the cap.
        kept = text if len(text) <= room else text[:room]
        self.truncated = self.truncated or kept is not text
        self._size += len(kept)
        chunks = (self._partial + kept).split("\n")
        self._partial = chunks.pop()
        t = round(self._clock.now - self._t0, 6)
        self.lines.extend(p.Printed(t, chunk) for chunk in chunks)
        return len(text)

    def flush(self) -> None:
        pass

    def close_partial(self) -> None:
        if self._partial:
            self.lines.append(p.Printed(round(self._clock.now - self._t0, 6), self._partial))
            self._partial = ""


class _Discard(io.TextIOBase):
    """Where import-time output goes: nobody reads it, and it costs nothing."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


class _CompiledOnce(importlib.machinery.SourceFileLoader):
    """The student's file, read afresh for every test and compiled once per text.

    Every test imports the module anew (a fresh namespace), and nothing is
    written to disk (`sys.dont_write_bytecode`): without this each test
    would compile the same source again.
    """

    def __init__(self, name: str, path: str, compiled: dict[bytes, CodeType]) -> None:
        super().__init__(name, path)
        self._compiled = compiled

    def get_code(self, fullname: str) -> CodeType:
        source = self.get_data(self.path)
        code = self._compiled.get(source)
        if code is None:
            code = self._compiled[source] = self.source_to_code(source, self.path)
        return code


def load_module(
    path: str, name: str, clock: VirtualClock, compiled: dict[bytes, CodeType]
) -> tuple[ModuleType | None, p.Loaded]:
    """Import the student's module afresh; the module and what the judge may know of it.

    `compiled`: the code of each source text already compiled by this executor.
    """
    spec = importlib.util.spec_from_file_location(
        name, path, loader=_CompiledOnce(name, path, compiled)
    )
    if spec is None or spec.loader is None:
        info = p.ErrorInfo("unloadable", "ImportError", "le fichier ne peut pas être chargé")
        return None, p.Loaded(0, os.path.basename(path), error=info)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    saved: TextIO = sys.stdout
    sys.stdout = _Discard()
    guard = Guard.take()
    error: p.ErrorInfo | None = None
    try:
        with clock.budget():
            spec.loader.exec_module(module)
    except VirtualTimeError as exc:
        error = p.ErrorInfo("verdict", type(exc).__name__, safe_str(exc))
    except BaseException as exc:
        error = error_info(exc, clock, clock.now)
    finally:
        sys.stdout = saved
        changed = guard.restore()
    file = os.path.basename(path)
    if error is not None:
        sys.modules.pop(name, None)
        return None, p.Loaded(0, file, error=error, tampered=tuple(changed))
    return module, p.Loaded(0, file, attributes=describe(module), tampered=tuple(changed))


def describe(module: ModuleType) -> dict[str, p.Attribute]:
    """Every public name of the module: its kind, and its value when it is plain data."""
    out: dict[str, p.Attribute] = {}
    for name, value in list(vars(module).items()):
        if type(name) is not str or name.startswith("__"):
            continue
        if inspect.isclass(value):
            out[name] = p.Attribute("class")
        elif inspect.ismodule(value):
            out[name] = p.Attribute("module")
        elif inspect.iscoroutinefunction(value):
            out[name] = p.Attribute("coroutine_function")
        elif inspect.isasyncgenfunction(value):
            out[name] = p.Attribute("async_generator_function")
        elif callable(value):
            out[name] = p.Attribute("function")
        else:
            out[name] = p.Attribute("value", value)
    return out


# What a patched name had before: nothing at all.
_MISSING = object()


@dataclass
class _Installed:
    """Module attributes replaced for one call, to put back afterwards."""

    module: ModuleType
    saved: list[tuple[str, object]] = field(default_factory=list)
    lists: list[tuple[list[Any], list[Any]]] = field(default_factory=list)

    def set(self, name: str, value: object) -> None:
        self.saved.append((name, vars(self.module).get(name, _MISSING)))
        setattr(self.module, name, value)

    def undo(self) -> None:
        for name, value in reversed(self.saved):
            if value is _MISSING:
                vars(self.module).pop(name, None)
            else:
                setattr(self.module, name, value)
        for target, content in self.lists:
            target[:] = content


def perform(call: p.Call, module: ModuleType, clock: VirtualClock) -> p.Observation:
    """Run one call and observe it."""
    recorder = Recorder(clock)
    installed = _Installed(module)
    try:
        for name, value in call.patch.items():
            current = vars(module).get(name)
            if type(current) is list and type(value) is list:
                # In place: code that kept a reference (a default argument) sees it too.
                installed.lists.append((current, list(current)))
                current[:] = value
            else:
                installed.set(name, value)
        for name in call.spies:
            original = vars(module).get(name)
            if callable(original):
                installed.set(name, make_spy(name, original, recorder))
        for spec in call.fakes:
            installed.set(spec.name, make_fake(spec, recorder))
        queues = [RecordingQueue(clock) for _ in call.queues]
        args = list(call.args)
        for i, (position, _) in enumerate(call.queues):
            args.insert(position, queues[i])
        fn = vars(module).get(call.function)
        return _observe(call, fn, args, clock, recorder, queues)
    finally:
        installed.undo()


def _observe(
    call: p.Call,
    fn: Any,
    args: list[Any],
    clock: VirtualClock,
    recorder: Recorder,
    queues: list[RecordingQueue],
) -> p.Observation:
    t0 = clock.now
    output = _TimedOutput(clock, t0)
    pending: list[str] = []
    blocking_before = len(clock.blocking)
    saved_stdout: TextIO = sys.stdout
    sys.stdout = output
    guard = Guard.take()
    outcome = "returned"
    value: Any = None
    error: p.ErrorInfo | None = None
    stuck: tuple[p.Stuck, ...] = ()
    busy_at: p.Where | None = None
    ended = t0
    drains = [q for q, (_, spec) in zip(queues, call.queues, strict=True) if spec.drain]
    try:
        with clock.budget(call.budget):
            try:
                if not callable(fn):
                    raise TypeError(f"{call.function} n'est pas une fonction")
                value = fn(*args, **call.kwargs)
                ended = clock.now
                if inspect.isawaitable(value):
                    value, ended = _run_awaitable(value, clock, pending, call.limit, drains)
            except _StillRunning:
                outcome, value, ended = "still_running", None, clock.now
            except DeadlockError as exc:
                outcome = "deadlock"
                stuck = tuple(exc.tasks)
            except TimeBudgetError:
                outcome = "time_budget"
            except BusyLoopError as exc:
                outcome, busy_at = "busy_loop", exc.where
            except VirtualTimeError:
                outcome = "time_budget"
            except BaseException as exc:
                outcome, error = "raised", error_info(exc, clock, clock.now - t0)
                ended = clock.now
    finally:
        sys.stdout = saved_stdout
        output.close_partial()
        changed = guard.restore()
    if changed:
        outcome = "tampered"
    return p.Observation(
        seq=call.seq,
        outcome=outcome,
        value=value,
        error=error,
        t0=round(t0, 6),
        elapsed=round(ended - t0, 6),
        lines=tuple(output.lines),
        output_truncated=output.truncated,
        pending=tuple(pending),
        blocking=tuple(
            p.Blocked(b.where, b.duration, tuple(b.held), b.at, b.spinning)
            for b in clock.blocking[blocking_before:]
        ),
        calls=recorder.snapshot(),
        queues=tuple(q.snapshot() for q in queues),
        stuck=stuck,
        budget=call.budget,
        busy_at=busy_at,
        tampered=tuple(changed),
    )


def _run_awaitable(
    awaitable: Awaitable[Any],
    clock: VirtualClock,
    pending: list[str],
    limit: float | None,
    drains: list[RecordingQueue],
) -> tuple[Any, float]:
    """Run to completion on a fresh virtual loop; the value and the virtual time it came."""
    loop: VirtualEventLoop = clock.new_event_loop()
    helpers: list[asyncio.Task[Any]] = []

    async def main() -> Any:
        helpers.extend(asyncio.ensure_future(drain(q)) for q in drains)
        try:
            if limit is None:
                return await awaitable
            task = asyncio.ensure_future(awaitable)
            done, _ = await asyncio.wait({task}, timeout=limit)
            if not done:
                task.cancel()
                raise _StillRunning
            return task.result()
        finally:
            for helper in helpers:
                helper.cancel()

    try:
        asyncio.set_event_loop(loop)
        task = loop.create_task(main())
        try:
            value = loop.run_until_complete(task)
        finally:
            # Tasks the student's code left behind, seen before they are cleaned up.
            for other in sorted(asyncio.all_tasks(loop), key=task_order):
                if other is not task and other not in helpers and not other.done():
                    where = task_location(other, clock.is_user_file)
                    pending.append(f"{other.get_name()} ({where})" if where else other.get_name())
        # The run ends here; cleaning up what the student left behind is not
        # part of its duration, and gets a small budget of its own (a task that
        # refuses to be cancelled must not run to the whole run's budget).
        return value, clock.now
    finally:
        with clock.budget(CLEANUP_BUDGET):
            _close(loop)


def _close(loop: VirtualEventLoop) -> None:
    """Cancel what is left and close, as asyncio.run does, without letting it hang."""
    try:
        leftovers = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in leftovers:
            t.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    except BaseException:
        pass
    finally:
        asyncio.set_event_loop(None)
        loop.close()
