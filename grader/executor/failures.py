"""What the student's exception becomes: an `ErrorInfo` the judge words in French.

Exceptions are classified here, by their class, never by their name (a
student's class called `Flaky` is just a class), and their text is read
defensively: a `__str__` may raise, lie about its type or run for ever long.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from grader import protocol as p
from grader.executor.clock import VirtualClock, traceback_location

# How much of an exception's text is sent.
MAX_MESSAGE = 1_000


class OsExitCalled(SystemExit):
    """What `os._exit` raises in the executor, instead of killing it silently."""


class ForkRefused(OSError):
    """What `os.fork` raises in the executor: a process pool's workers or a fork of the student's.

    A forked child inherits the virtual clock with no loop to move it: its
    first sleep would wait for ever, and its work would never be timed. Its
    parent gets this at once, and the judge words it, rather than a real-time
    limit blamed on an endless loop.
    """


def forbid_os_exit(real: Callable[[int], Any]) -> Callable[[int], Any]:
    """`os._exit` as the student's code sees it: an exception the judge can word."""

    def _exit(status: int) -> Any:
        raise OsExitCalled(status)

    _exit.__name__ = "_exit"
    return _exit


def forbid_fork() -> Callable[[], int]:
    """`os.fork` as the student's code sees it: refused, with an exception the judge can word."""

    def fork() -> int:
        raise ForkRefused("os.fork est refusé pendant la correction")

    return fork


def safe_str(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:
        return "(texte de l'exception illisible : son __str__ a échoué)"
    if type(text) is not str:
        return ""
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


_TEST_TOOL_BASES = (
    ("_pytest.outcomes", "OutcomeException"),
    ("hypothesis.errors", "HypothesisException"),
)


def _kind(exc: BaseException) -> str:
    # By class, never by name: a student's class called "Flaky" is just a class.
    if isinstance(exc, NotImplementedError):
        return "not_implemented"
    if isinstance(exc, OsExitCalled):
        return "os_exit"
    if isinstance(exc, ForkRefused):
        return "fork"
    if isinstance(exc, SystemExit):
        return "system_exit"
    if isinstance(exc, KeyboardInterrupt):
        return "keyboard_interrupt"
    if isinstance(exc, SyntaxError):
        return "syntax"
    # pytest presents its outcomes as builtins: look at the classes themselves.
    for name, attribute in _TEST_TOOL_BASES:
        tool = sys.modules.get(name)
        base = getattr(tool, attribute, None) if tool is not None else None
        if isinstance(base, type) and isinstance(exc, base):
            return "test_tool"
    if not isinstance(exc, Exception):
        return "base_exception"
    if type(exc) is RuntimeError and str(exc) == _FUTURE_NOT_AWAITED:
        return "future_not_awaited"
    return "exception"


# What asyncio raises when the result of gather() or create_task() is used
# (unpacked, iterated) without await.
_FUTURE_NOT_AWAITED = "await wasn't used with future"
# asyncio's functions taking a number of seconds, and the name of that argument.
_DURATIONS = (("wait_for", "timeout"), ("timeout", "delay"), ("sleep", "delay"))


def _refused_duration(exc: BaseException) -> tuple[str, Any] | None:
    """The asyncio function and the duration it was given, when one refused a non-number.

    A `--timeout` read by argparse without `type=float` reaches wait_for as a
    str, which fails inside asyncio before the coroutine is ever awaited.
    """
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith("asyncio"):
            for function, argument in _DURATIONS:
                if frame.f_code.co_name == function and argument in frame.f_locals:
                    value = frame.f_locals[argument]
                    if not isinstance(value, (int, float)) or isinstance(value, bool):
                        return f"asyncio.{function}", value
        tb = tb.tb_next
    return None


def error_info(exc: BaseException, clock: VirtualClock, at: float) -> p.ErrorInfo:
    kind = _kind(exc)
    code: Any = None
    if isinstance(exc, SystemExit):
        raw = exc.code
        code = raw if raw is None or type(raw) in (int, str, bool) else p.opaque_of(raw).repr
    refused = _refused_duration(exc) if isinstance(exc, TypeError) else None
    if refused is not None:
        # The function and the value it refused, as the judge will word them.
        kind = "bad_duration"
        opaque = p.opaque_of(refused[1])
        code = [refused[0], opaque.type, opaque.repr[:60]]
    where = traceback_location(exc, clock.is_user_file)
    if isinstance(exc, SyntaxError):
        where = p.Where(
            os.path.basename(str(exc.filename or "")),
            int(exc.lineno or 0),
            "",
            str(exc.text or "").strip()[:200],
        )
        message = str(exc.msg)[:MAX_MESSAGE]
    else:
        message = safe_str(exc)
    bases = tuple(
        c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins" and c is not object
    )
    return p.ErrorInfo(kind, p.opaque_of(exc).type, message, where, code, round(at, 6), bases)
