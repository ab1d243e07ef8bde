"""What the exercise tests call to run the student's code and look at what it did.

A test asks `run(student.telecharger_tout, durees)`: the call runs on the
current test's virtual clock, its printed lines are recorded with the virtual
time they were printed at, and whatever goes wrong in the student's code comes
back as a `StudentError` whose French message says what was called, what was
raised and at which line of the student's file. Tests then assert on an
`Execution` with French messages of their own.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import os
import sys
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TextIO

from grader.clock import (
    DEFAULT_BUDGET,
    BlockingCall,
    Location,
    VirtualClock,
    VirtualEventLoop,
    VirtualTimeError,
    task_location,
)

# What one run may print before the rest is dropped: enough for any exercise,
# small enough that a flood of output costs neither memory nor time.
MAX_OUTPUT_CHARS = 200_000

# Virtual seconds granted to cancel what a run left behind.
CLEANUP_BUDGET = 30.0


class OsExitCalled(SystemExit):
    """What `os._exit` raises in the grading child, instead of killing it silently."""


class StudentError(Exception):
    """The student's code raised, or could not be used: reported as status `error`."""

    def __init__(self, message: str, where: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


@dataclass(frozen=True)
class Line:
    t: float  # virtual seconds since the call began
    text: str


@dataclass
class Execution:
    """What one call of the student's code did."""

    value: Any
    elapsed: float
    t0: float
    lines: list[Line]
    pending: list[str]
    blocking: list[BlockingCall]
    output_truncated: bool = False

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    def first(self, prefix: str) -> Line | None:
        """The first line starting with `prefix` (white space ignored at both ends)."""
        return next((ln for ln in self.lines if ln.text.strip().startswith(prefix)), None)


class _TimedOutput(io.TextIOBase):
    """Stands in for sys.stdout: keeps each line with the virtual time it ended."""

    def __init__(self, clock: VirtualClock, t0: float) -> None:
        self._clock = clock
        self._t0 = t0
        self._partial = ""
        self._size = 0
        self.lines: list[Line] = []
        self.truncated = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self._size >= MAX_OUTPUT_CHARS:
            self.truncated = True
            return len(text)
        self._size += len(text)
        chunks = (self._partial + text).split("\n")
        self._partial = chunks.pop()
        t = round(self._clock.now - self._t0, 6)
        self.lines.extend(Line(t, chunk) for chunk in chunks)
        return len(text)

    def flush(self) -> None:
        pass

    def close_partial(self) -> None:
        if self._partial:
            self.lines.append(Line(round(self._clock.now - self._t0, 6), self._partial))
            self._partial = ""


# Modules whose attributes student code must not rebind: the tools it is graded
# on, the time functions the clock controls, and the grader itself.
_GUARDED = (
    "asyncio",
    "time",
    "datetime",
    "grader.harness",
    "grader.plugin",
    "grader.clock",
    "grader.results",
    "grader.diagnostics",
)


@dataclass
class Guard:
    """A snapshot of the guarded modules and the loop policy, to find what student code rebound."""

    namespaces: list[tuple[str, dict[str, object]]]
    policy: object

    @classmethod
    def take(cls) -> Guard:
        # A plain copy of each namespace: this runs around every call of the
        # student's code, so it must cost next to nothing.
        namespaces = [
            (name, dict(vars(module)))
            for name in _GUARDED
            if (module := sys.modules.get(name)) is not None
        ]
        return cls(namespaces, asyncio.get_event_loop_policy())

    def restore(self) -> list[str]:
        """Put back whatever was changed; returns the changed names, e.g. ["asyncio.sleep"]."""
        changed = []
        for module_name, saved in self.namespaces:
            module = sys.modules.get(module_name)
            if module is None:
                continue
            current = vars(module)
            for name in [k for k, v in saved.items() if current.get(k, _MISSING) is not v]:
                if not name.startswith("__"):
                    changed.append(f"{module_name}.{name}")
                setattr(module, name, saved[name])
        if asyncio.get_event_loop_policy() is not self.policy:
            changed.append("la politique d'event loop (asyncio.set_event_loop_policy)")
            asyncio.set_event_loop_policy(self.policy)  # type: ignore[arg-type]
        return changed


_MISSING = object()


def tampering_error(changed: list[str], during: str) -> StudentError:
    names = ", ".join(changed[:5]) + (" …" if len(changed) > 5 else "")
    return StudentError(
        f"{during} remplace des outils qu'il doit utiliser tels quels ({names}) : le code ne doit "
        "pas modifier asyncio, time ni le correcteur ; la correction se fait avec les originaux"
    )


def current_clock() -> VirtualClock:
    """The running test's clock (kept by the event loop policy the plugin installed)."""
    policy = asyncio.get_event_loop_policy()
    machine = getattr(policy, "_machine", None)
    if machine is None:
        raise RuntimeError("grader.harness needs the grader's pytest plugin (-p grader.plugin)")
    clock: VirtualClock = machine.clock
    return clock


def now() -> float:
    """The current virtual time, in seconds since the test began."""
    return current_clock().now


def fmt_t(t: float) -> str:
    return f"t={t:.2f} s"


def _call_text(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    name = getattr(fn, "__name__", repr(fn))
    parts = [_short_repr(a) for a in args] + [f"{k}={_short_repr(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _short_repr(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def student_location(exc: BaseException, clock: VirtualClock) -> Location | None:
    """The innermost line of the student's code in an exception's traceback."""
    found: Location | None = None
    for frame_summary in traceback.extract_tb(exc.__traceback__):
        if clock.is_user_file(frame_summary.filename):
            found = Location(
                os.path.basename(frame_summary.filename),
                frame_summary.lineno or 0,
                frame_summary.name,
                (frame_summary.line or "").strip(),
            )
    return found


def explain_exception(call: str, exc: BaseException, clock: VirtualClock) -> StudentError:
    """Turn what the student's code raised into a message a beginner can act on."""
    where = student_location(exc, clock)
    at = f" ({where})" if where else ""
    if isinstance(exc, NotImplementedError):
        function = where.function if where else call.split("(")[0]
        return StudentError(
            f"{function} est encore à compléter : elle lève NotImplementedError{at}", where
        )
    if isinstance(exc, OsExitCalled):
        return StudentError(
            f"{call} a appelé os._exit({exc.code!r}){at} : cela tue le programme sur-le-champ ; "
            "une fonction doit renvoyer son résultat",
            where,
        )
    if isinstance(exc, SystemExit):
        return StudentError(
            f"{call} a appelé sys.exit({exc.code!r}){at} : cela arrête tout le programme ; "
            "une fonction doit renvoyer son résultat",
            where,
        )
    detail = str(exc)
    name = type(exc).__name__
    shown = f"{name} : {detail}" if detail else name
    return StudentError(f"{call} a levé {shown}{at}", where)


def require(module: Any, name: str, *, coroutine: bool) -> Callable[..., Any]:
    """The student's function `name`, or a French StudentError saying what is wrong with it."""
    fn = getattr(module, name, None)
    file = os.path.basename(getattr(module, "__file__", "") or "") or "le module"
    if fn is None:
        raise StudentError(f"la fonction {name} est introuvable dans {file}")
    if not callable(fn):
        raise StudentError(f"{name} dans {file} n'est pas une fonction")
    is_coro = inspect.iscoroutinefunction(fn)
    if coroutine and not is_coro:
        raise StudentError(f"{name} doit être une coroutine : définissez-la avec « async def »")
    if not coroutine and is_coro:
        raise StudentError(f"{name} doit être une fonction ordinaire (« def », sans « async »)")
    return fn  # type: ignore[no-any-return]


def run(
    fn: Callable[..., Any], *args: Any, budget: float = DEFAULT_BUDGET, **kwargs: Any
) -> Execution:
    """Call the student's `fn` on the virtual clock; run the coroutine it returns, if any.

    Raises StudentError when the student's code raises, and lets the clock's
    verdicts (deadlock, time budget, busy loop) through for the plugin to word.
    """
    clock = current_clock()
    call = _call_text(fn, args, kwargs)
    t0 = clock.now
    output = _TimedOutput(clock, t0)
    pending: list[str] = []
    saved_stdout: TextIO = sys.stdout
    sys.stdout = output
    blocking_before = len(clock.blocking)
    guard = Guard.take()
    try:
        with clock.budget(budget):
            try:
                value = fn(*args, **kwargs)
                ended = clock.now
                if inspect.isawaitable(value):
                    value, ended = _run_awaitable(value, clock, pending)
            except VirtualTimeError:
                raise
            except (Exception, SystemExit) as exc:
                raise explain_exception(call, exc, clock) from exc
    finally:
        sys.stdout = saved_stdout
        output.close_partial()
        changed = guard.restore()
    if changed:
        raise tampering_error(changed, call)
    return Execution(
        value=value,
        elapsed=round(ended - t0, 6),
        t0=t0,
        lines=output.lines,
        pending=pending,
        blocking=clock.blocking[blocking_before:],
        output_truncated=output.truncated,
    )


def _run_awaitable(
    awaitable: Awaitable[Any], clock: VirtualClock, pending: list[str]
) -> tuple[Any, float]:
    """Run to completion on a fresh virtual loop; the value and the virtual time it came."""
    loop: VirtualEventLoop = clock.new_event_loop()

    async def main() -> Any:
        return await awaitable

    try:
        asyncio.set_event_loop(loop)
        task = loop.create_task(main())
        try:
            value = loop.run_until_complete(task)
        finally:
            # Tasks the student's code left behind, seen before they are cleaned up.
            for other in asyncio.all_tasks(loop):
                if other is not task and not other.done():
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
    except (Exception, VirtualTimeError):
        pass
    finally:
        asyncio.set_event_loop(None)
        loop.close()


@dataclass
class Spy:
    """Records when each call of a wrapped coroutine function started and ended."""

    fn: Callable[..., Coroutine[Any, Any, Any]]
    calls: list[tuple[tuple[Any, ...], float, float | None]] = field(default_factory=list)

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        index = len(self.calls)
        self.calls.append((args, now(), None))
        result = await self.fn(*args, **kwargs)
        self.calls[index] = (args, self.calls[index][1], now())
        return result
