"""`lost-task`: a task nobody waited for, or whose exception nobody retrieved.

Tasks still pending when `run_until_complete` returns, and "Task exception
was never retrieved" from the loop's exception handler.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from grader.executor.clock import VirtualEventLoop, task_location, task_order
from grader.executor.diagnostics.common import (
    Context,
    quoted,
    raised_at,
    short,
)
from grader.executor.diagnostics.detector import Detector


class LostTask(Detector):
    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        # Tasks already reported, so that a task is named once whatever sees it again.
        self._lost: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()

    def run_returned(self, loop: VirtualEventLoop) -> None:
        try:
            left = sorted((t for t in asyncio.all_tasks(loop) if not t.done()), key=task_order)
            for task in left:
                # A task the student cancelled is on its way out, even if no one waits for it.
                if task in self._lost or task.cancelling() > 0:
                    continue
                self._lost.add(task)
                self._pending(task)
        except Exception:  # a diagnostic must never break the student's run
            return

    def _pending(self, task: asyncio.Task[Any]) -> None:
        assert self.ctx.clock is not None
        waiting = task_location(task, self.ctx.clock.is_user_file)
        created = getattr(task, "created_at", None)
        where = created or waiting
        if where is None:
            return
        label = self.ctx.label(task)
        still = ""
        if waiting is not None and waiting != where:
            still = f" : elle attendait encore ligne {waiting.line} ({quoted(waiting)})"
        self.ctx.add(
            "lost-task",
            where,
            f"la tâche {label} lancée par {quoted(where)} n'était pas terminée quand le programme "
            f"a rendu la main{still}. Une tâche créée doit être attendue (await, gather, "
            "as_completed) ; sinon elle est annulée à la fermeture de la boucle et son travail est "
            "perdu (voir « Les outils principaux »).",
        )

    def exception(self, loop: VirtualEventLoop, context: dict[str, Any]) -> None:
        try:
            task = context.get("future")
            exc = context.get("exception")
            if (
                not str(context.get("message", "")).endswith("exception was never retrieved")
                or not isinstance(task, asyncio.Task)
                or exc is None
                or self.ctx.clock is None
            ):
                return
            where = getattr(task, "created_at", None)
            if where is None:
                return
            label = self.ctx.label(task)
            raised = raised_at(exc, self.ctx.is_user_file)
            at = f", ligne {raised.line}" if raised is not None else ""
            detail = short(str(exc))
            shown = f"{type(exc).__name__} : {detail}" if detail else type(exc).__name__
            self.ctx.add(
                "lost-task",
                where,
                f"la tâche {label} lancée par {quoted(where)} a échoué ({shown}{at}) et personne "
                "n'a récupéré son exception : elle n'a jamais été attendue, alors l'erreur passe "
                "inaperçue. Attendez chaque tâche (await, ou gather avec return_exceptions=True) "
                "pour en voir les erreurs (voir « Les outils principaux »).",
            )
        except Exception:  # called from a finalizer: must never raise
            return
