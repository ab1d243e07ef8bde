"""`swallowed-cancel`: a task asked to stop that catches its CancelledError and goes on.

When a task is asked to stop, the except clause that will catch the
CancelledError is found in the source along the task's chain of awaits. A
task that was cancelled yet ended normally (seen at the end of the test), or
went back to waiting (seen at a deadlock), is the fallback.
"""

from __future__ import annotations

import ast
import asyncio
import sys
import types
import weakref
from dataclasses import dataclass
from typing import Any

from grader import source
from grader.executor.clock import Location, VirtualEventLoop, line_location, task_order
from grader.executor.diagnostics.common import (
    Context,
    chain,
    final_name,
    frame_location,
    module,
    quoted,
)
from grader.executor.diagnostics.detector import Detector

# What `_catcher` answers when asyncio's own timeout or task group will turn
# the CancelledError into its result before any outer handler sees it.
_CONVERTED = object()


@dataclass
class _Cancel:
    """A task asked to stop whose except clause was not found: checked at the end."""

    task: asyncio.Task[Any]
    where: Location


class SwallowedCancel(Detector):
    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._swallowing: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
        self._cancels: list[_Cancel] = []

    def task_cancelling(self, task: asyncio.Task[Any]) -> None:
        try:
            if task in self._swallowing or any(c.task is task for c in self._cancels):
                return
            # 0: here, 1: Monitor.task_cancelling, 2: Task.cancel, 3: who cancelled.
            caller = sys._getframe(3)
            # asyncio.timeout and TaskGroup cancel the task and turn the
            # CancelledError into their own result when it reaches them: only
            # the code inside them can swallow it.
            scoped = module(caller) in ("asyncio.timeouts", "asyncio.taskgroups")
            frames = chain(task)
            user = [f for f in frames if self.ctx.is_user_file(f.f_code.co_filename)]
            if not user:
                return  # not started, or none of the student's code on its way
            clause = self._catching_clause(frames, scoped)
            if clause is not None:
                self._swallowing.add(task)
                where, handler = clause
                self._swallowed(where, handler)
                return
            if scoped:
                # asyncio's own bookkeeping of these cancellations is not to be
                # trusted (a TaskGroup leaves its parent "cancelling" until 3.13).
                return
            self._cancels.append(_Cancel(task, frame_location(user[-1])))
        except Exception:  # a diagnostic must never break the student's run
            return

    def end_test(self) -> None:
        for cancel in self._cancels:
            task = cancel.task
            # Asked to stop, it ended normally all the same: it swallowed the CancelledError.
            if task.done() and not task.cancelled() and task.cancelling() > 0:
                if task not in self._swallowing:
                    self._swallowing.add(task)
                    self._fallback(cancel, ended=True)
        self._cancels.clear()

    def deadlock(self, loop: VirtualEventLoop) -> None:
        try:
            for task in sorted(
                (t for t in asyncio.all_tasks(loop) if not t.done()), key=task_order
            ):
                for cancel in self._cancels:
                    if cancel.task is task and task not in self._swallowing:
                        # Asked to stop, it went back to waiting: it swallowed the CancelledError.
                        self._swallowing.add(task)
                        self._fallback(cancel, ended=False)
        except Exception:  # the DeadlockError itself is what matters
            return

    def _catching_clause(
        self, frames: list[types.FrameType], scoped: bool
    ) -> tuple[Location, ast.AST] | None:
        """Where the CancelledError thrown at the await will be caught and not raised again."""
        for frame in reversed(frames):
            code = frame.f_code
            if not self.ctx.is_user_file(code.co_filename):
                if scoped and code.co_name == "wait_for" and module(frame).startswith("asyncio"):
                    return None
                continue
            path = self.ctx.path(code.co_filename, code.co_firstlineno, frame.f_lineno)
            found = _catcher(path, scoped)
            if found is _CONVERTED:
                return None
            if isinstance(found, ast.AST):
                line = found.lineno  # type: ignore[attr-defined]
                return line_location(code.co_filename, line, code.co_name), found
        return None

    def _swallowed(self, where: Location, handler: ast.AST) -> None:
        catches_all = isinstance(handler, ast.ExceptHandler) and _catches_everything(handler.type)
        if isinstance(handler, ast.ExceptHandler) and not catches_all:
            what = "attrape l'annulation de la tâche (asyncio.CancelledError) sans la relancer"
            fix = "Après le nettoyage, relancez-la avec « raise »"
        elif catches_all:
            what = (
                "attrape tout, y compris l'annulation de la tâche (asyncio.CancelledError), "
                "sans la relancer"
            )
            fix = (
                "Attrapez « except Exception », qui laisse passer l'annulation, ou relancez "
                "avec « raise »"
            )
        elif isinstance(handler, ast.Return):
            what = (
                "sort d'un bloc finally et y perd l'annulation de la tâche (asyncio.CancelledError)"
            )
            fix = "Ne quittez pas un bloc finally par return"
        else:
            what = "étouffe l'annulation de la tâche (asyncio.CancelledError)"
            fix = "Laissez passer asyncio.CancelledError"
        self.ctx.add(
            "swallowed-cancel",
            where,
            f"{quoted(where)} {what} : la tâche continue comme si de rien n'était, alors un délai "
            f"(wait_for, timeout) ne peut plus l'interrompre et elle ne s'arrête pas quand on "
            f"l'annule. {fix} (voir « Les outils principaux » : wait_for annule la tâche en "
            "retard).",
        )

    def _fallback(self, cancel: _Cancel, *, ended: bool) -> None:
        where = cancel.where
        then = "s'est terminée normalement" if ended else "s'est remise à attendre"
        self.ctx.add(
            "swallowed-cancel",
            where,
            f"la tâche annulée pendant qu'elle attendait à {quoted(where)} {then} : "
            "l'annulation (asyncio.CancelledError) a été attrapée sans être relancée, si bien "
            "qu'un délai (wait_for, timeout) ne peut plus l'interrompre. Relancez-la avec "
            "« raise » après le nettoyage (voir « Les outils principaux »).",
        )


# -- reading the student's source ------------------------------------------------------
def _catches_everything(expr: ast.expr | None) -> bool:
    if expr is None:
        return True
    if isinstance(expr, ast.Tuple):
        return any(_catches_everything(e) for e in expr.elts)
    return final_name(expr) == "BaseException"


def _catches_cancel(expr: ast.expr | None) -> bool:
    if isinstance(expr, ast.Tuple):
        return any(_catches_cancel(e) for e in expr.elts)
    return _catches_everything(expr) or final_name(expr) == "CancelledError"


def _catcher(path: list[ast.AST], scoped: bool) -> ast.AST | object | None:
    """In one function, the clause that catches a CancelledError raised at the path's line."""
    for depth in range(len(path) - 1, -1, -1):
        node = path[depth]
        child = path[depth + 1] if depth + 1 < len(path) else None
        if isinstance(node, (ast.Try, ast.TryStar)) and child is not None and child in node.body:
            handler = next((h for h in node.handlers if _catches_cancel(h.type)), None)
            if handler is not None and not source.has(handler, ast.Raise):
                return handler
            # Raised again, or not caught: a return in `finally` still drops it.
            for statement in node.finalbody:
                if isinstance(statement, ast.Return):
                    return statement
                if (leave := source.has(statement, ast.Return)) is not None:
                    return leave
        if isinstance(node, (ast.With, ast.AsyncWith)) and child is not None and child in node.body:
            for item in node.items:
                name = final_name(item.context_expr)
                call = item.context_expr
                if (
                    name == "suppress"
                    and isinstance(call, ast.Call)
                    and any(_catches_cancel(arg) for arg in call.args)
                ):
                    return node
                if scoped and name in ("timeout", "timeout_at", "TaskGroup"):
                    return _CONVERTED
    return None
