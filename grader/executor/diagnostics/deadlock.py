"""`deadlock`: every task waits for something that can never happen.

When the clock finds that nothing can ever happen, each stuck task's wait is
named, with the course's usual cause when it fits (an empty queue nobody will
fill: a sentinel missing; `join()` without `task_done()`…). Tasks that wait
on another stuck task are named only when nothing else is.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from grader.executor.clock import Location, VirtualEventLoop, task_order
from grader.executor.diagnostics.common import (
    SEE_QUEUE,
    chain,
    counted,
    frame_location,
    module,
    quoted,
)
from grader.executor.diagnostics.detector import Detector


class Deadlock(Detector):
    def deadlock(self, loop: VirtualEventLoop) -> None:
        try:
            self._deadlock(loop)
        except Exception:  # the DeadlockError itself is what matters
            return

    def _deadlock(self, loop: VirtualEventLoop) -> None:
        assert self.ctx.clock is not None
        is_user = self.ctx.clock.is_user_file
        waits: dict[tuple[str, int], tuple[Location, str, list[str]]] = {}
        knock_on: dict[tuple[str, int], tuple[Location, str, list[str]]] = {}
        for task in sorted((t for t in asyncio.all_tasks(loop) if not t.done()), key=task_order):
            if task.cancelling() > 0:
                continue  # asked to stop and refusing: swallowed-cancel names it
            frames = chain(task)
            inner = [i for i, f in enumerate(frames) if is_user(f.f_code.co_filename)]
            if not inner:
                continue
            frame = frames[inner[-1]]
            where = frame_location(frame)
            below = frames[inner[-1] + 1] if inner[-1] + 1 < len(frames) else None
            cause = _wait_cause(below, task)
            label = self.ctx.label(task)
            into = knock_on if cause == "autre tâche" else waits
            entry = into.setdefault((where.file, where.line), (where, cause, []))
            entry[2].append(label)
        for where, cause, labels in (waits or knock_on).values():
            self.ctx.add("deadlock", where, _message(where, cause, labels))


def _wait_cause(below: types.FrameType | None, task: asyncio.Task[Any]) -> str:
    """What a stuck task waits on, from the asyncio frame just under the student's await."""
    if below is None or not module(below).startswith("asyncio"):
        waiter = getattr(task, "_fut_waiter", None)
        if isinstance(waiter, asyncio.Task) or type(waiter).__name__ == "_GatheringFuture":
            return "autre tâche"
        return "future"
    qualname = below.f_code.co_qualname
    if qualname == "Queue.get":
        return "get"
    if qualname == "Queue.put":
        return "put"
    if qualname == "Queue.join":
        queue = below.f_locals.get("self")
        empty = isinstance(queue, asyncio.Queue) and queue.empty()
        return "join" if empty else "join non vide"
    if qualname == "Event.wait":
        return "event"
    if qualname.split(".")[-1] in ("acquire", "wait", "wait_for") and qualname.split(".")[0] in (
        "Lock",
        "Semaphore",
        "BoundedSemaphore",
        "Condition",
        "Barrier",
    ):
        return "verrou"
    if qualname == "sleep":
        return "sommeil"
    return "autre tâche"


_BOUNDED_WAIT = (
    "Une attente qui peut ne jamais finir se borne avec asyncio.wait_for (voir « Les outils "
    "principaux »)."
)
_CAUSES: Mapping[str, str] = MappingProxyType(
    {
        "get": (
            "la file est vide et plus personne ne la remplira. Cause habituelle : le producteur a "
            "fini sans déposer une sentinelle None pour chaque consommateur ; chaque consommateur "
            f"doit s'arrêter en recevant la sienne ({SEE_QUEUE})."
        ),
        "join": (
            "queue.join() rend la main quand chaque élément retiré par get() a été marqué traité "
            "avec queue.task_done() ; il en manque : appelez task_done() une fois par get() "
            f"({SEE_QUEUE})."
        ),
        "join non vide": (
            "il reste des éléments dans la file et plus aucun consommateur pour les retirer "
            f"({SEE_QUEUE})."
        ),
        "put": f"la file est pleine et plus personne ne la vide ({SEE_QUEUE}).",
        "event": f"personne n'appellera event.set(). {_BOUNDED_WAIT}",
        "verrou": f"le verrou (Lock, Semaphore, Condition) ne sera jamais relâché. {_BOUNDED_WAIT}",
        "sommeil": (
            f"la durée est infinie et plus rien d'autre ne peut se produire. {_BOUNDED_WAIT}"
        ),
        "future": f"elle attend un résultat (un Future) que personne ne fournira. {_BOUNDED_WAIT}",
        "autre tâche": (
            f"elle attend une tâche qui attend elle aussi pour toujours. {_BOUNDED_WAIT}"
        ),
    }
)


def _message(where: Location, cause: str, labels: list[str]) -> str:
    who = f"la tâche {labels[0]}" if len(labels) == 1 else f"les tâches {counted(labels)}"
    verb = "attend" if len(labels) == 1 else "attendent"
    return f"{who} {verb} pour toujours à {quoted(where)} : {_CAUSES[cause]}"
