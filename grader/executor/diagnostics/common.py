"""What every detector shares: the test's context, the session's patches, quoting helpers.

`Context` is the one piece of state the detectors see: the running test's
clock, the diagnostics found so far (two threads add to them: the loop's and
the CPU sampler's), and the student's source read once per file.
"""

from __future__ import annotations

import ast
import asyncio
import io
import linecache
import os
import threading
import tokenize
import types
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from grader import source
from grader.executor.clock import Location, VirtualClock, line_location, task_label
from grader.results import Diagnostic

SEE_PITFALLS = "voir « Les pièges classiques »"
SEE_QUEUE = "voir « Producteurs et consommateurs avec une Queue »"


@dataclass
class Context:
    """The running test as the detectors see it; one per session, its clock set per test."""

    clock: VirtualClock | None = None
    found: list[Diagnostic] = field(default_factory=list)
    # Held while a diagnostic is added and while the test's are collected: the
    # CPU sampler adds from its own thread.
    lock: threading.Lock = field(default_factory=threading.Lock)
    _sources: dict[str, ast.Module | None] = field(default_factory=dict)

    def add(self, kind: str, where: Location, message: str) -> None:
        diagnostic = Diagnostic(kind=kind, file=where.file, line=where.line, message=message)
        self.found.append(diagnostic)

    def is_user_file(self, filename: str) -> bool:
        return self.clock is not None and self.clock.is_user_file(filename)

    def label(self, task: asyncio.Task[Any]) -> str:
        """The student's name for a task, or what it runs (`asyncio.sleep`)."""
        assert self.clock is not None
        label = task_label(task, self.clock.is_user_file)
        if label is not None:
            return label
        coro: Any = task.get_coro()
        name = getattr(coro, "__qualname__", None)
        if name is None:
            return task.get_name()
        return f"asyncio.{name}" if module_of(getattr(coro, "cr_code", None)) else str(name)

    # -- the student's source, parsed once per file ----------------------------------
    def tree(self, filename: str) -> ast.Module | None:
        if filename not in self._sources:
            try:
                # linecache already holds the file (the locations quote it).
                self._sources[filename] = ast.parse("".join(linecache.getlines(filename)))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._sources[filename] = None
        return self._sources[filename]

    def steady_line(self, filename: str, line: int, first: int) -> int:
        """The line a sample stands for: the same wherever in the computation it fell."""
        tree = self.tree(filename)
        return source.steady_line(tree, line, first) if tree is not None else line

    def path(self, filename: str, first: int, line: int) -> list[ast.AST]:
        tree = self.tree(filename)
        return source.path_in(tree, line, first) if tree is not None else []


@dataclass
class _Patch:
    owner: Any
    name: str
    original: Any
    own: bool  # the attribute was the owner's own, not inherited


@dataclass
class Patches:
    """Attributes replaced for the session, put back in reverse order at its end."""

    _done: list[_Patch] = field(default_factory=list)

    def patch(self, owner: Any, name: str, make: Callable[[Any], Any]) -> Any:
        original = getattr(owner, name, None)
        if original is None:
            return None
        own = name in vars(owner)
        wrapper = make(original)
        setattr(owner, name, wrapper)
        self._done.append(_Patch(owner, name, original, own))
        return wrapper

    def undo(self) -> None:
        for patch in reversed(self._done):
            if patch.own:
                setattr(patch.owner, patch.name, patch.original)
            else:
                delattr(patch.owner, patch.name)
        self._done.clear()


# -- places and quotes -----------------------------------------------------------------
def frame_location(frame: types.FrameType) -> Location:
    return line_location(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)


def quoted(where: Location) -> str:
    code = _without_comment(where.code)
    return f"« {code} »" if code else f"la ligne {where.line}"


def _without_comment(code: str) -> str:
    """The line as code: the student's own comment is theirs to read, not ours to quote."""
    if "#" not in code:
        return code
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.COMMENT:
                return code[: token.start[1]].rstrip()
    except (tokenize.TokenError, SyntaxError):
        pass  # the first line of a statement that goes on: what was read is enough
    return code


def counted(labels: Iterable[str]) -> str:
    counts = Counter(labels)
    return ", ".join(f"{name} ×{n}" if n > 1 else name for name, n in sorted(counts.items()))


def short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- frames, modules, tasks ------------------------------------------------------------
def module(frame: types.FrameType) -> str:
    return str(frame.f_globals.get("__name__", ""))


def module_of(code: types.CodeType | None) -> str:
    if code is None:
        return ""
    asyncio_dir = os.path.dirname(asyncio.__file__) + os.sep
    return "asyncio" if code.co_filename.startswith(asyncio_dir) else ""


def chain(task: asyncio.Task[Any]) -> list[types.FrameType]:
    """The frames of a suspended task's chain of awaits, outermost first."""
    frames = []
    coro: Any = task.get_coro()
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
        if frame is None:
            break
        frames.append(frame)
        coro = getattr(coro, "cr_await", None)
    return frames


def raised_at(exc: BaseException, is_user: Callable[[str], bool]) -> Location | None:
    found = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if is_user(code.co_filename):
            found = line_location(code.co_filename, tb.tb_lineno, code.co_name)
        tb = tb.tb_next
    return found


def final_name(expr: ast.AST | None) -> str:
    """`CancelledError` for `asyncio.CancelledError`, `suppress` for `contextlib.suppress(...)`."""
    if isinstance(expr, ast.Call):
        expr = expr.func
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return ""
