"""`never-awaited`: a coroutine called without await, whose body therefore never ran.

Coroutine objects remember the line that created them
(`sys.set_coroutine_origin_tracking_depth`); the hook Python calls for the
"was never awaited" warning hands us the coroutine, whatever the warning
filters say. A full garbage collection at the end of each test (the
Monitor's) makes the late ones fire at a fixed point.
"""

from __future__ import annotations

import ast
import asyncio
import sys
import warnings
from collections.abc import Callable
from typing import Any

from grader import source
from grader.executor.clock import line_location
from grader.executor.diagnostics.common import Patches, module_of, quoted
from grader.executor.diagnostics.detector import Detector

# Only the frame that created a coroutine matters: the line with the missing await.
_ORIGIN_DEPTH = 1
_ASYNCIO_SLEEP_CODE = asyncio.sleep.__code__


class NeverAwaited(Detector):
    _saved_depth = 0

    def start(self, patches: Patches) -> None:
        self._saved_depth = sys.get_coroutine_origin_tracking_depth()
        sys.set_coroutine_origin_tracking_depth(_ORIGIN_DEPTH)
        patches.patch(warnings, "_warn_unawaited_coroutine", self._wrap)

    def stop(self) -> None:
        sys.set_coroutine_origin_tracking_depth(self._saved_depth)

    def _wrap(self, original: Callable[[Any], None]) -> Callable[[Any], None]:
        detector = self

        def warn_unawaited_coroutine(coro: Any) -> None:
            detector._never_awaited(coro)
            original(coro)

        return warn_unawaited_coroutine

    def _never_awaited(self, coro: Any) -> None:
        try:
            origin = getattr(coro, "cr_origin", None)
            if not origin or not self.ctx.is_user_file(origin[0][0]):
                return
            filename, line, function = origin[0]
            where = line_location(filename, line, function)
            code = getattr(coro, "cr_code", None)
            name = str(getattr(coro, "__qualname__", "coroutine")).rpartition("<locals>.")[2]
            if module_of(code).startswith("asyncio"):
                name = f"asyncio.{name}"
            if self._awaits_at(filename, line):
                # The await is there: the call it awaits failed before awaiting the
                # coroutine handed to it (wait_for given a timeout that is a str).
                message = (
                    f"{quoted(where)} : la coroutine {name}() créée à cette ligne n'a jamais "
                    "été exécutée : l'appel à qui elle est passée ne l'a pas attendue, le plus "
                    "souvent parce qu'il a levé une exception avant (un autre de ses arguments "
                    "ne va pas : voyez l'erreur du test). S'il attend un résultat et non une "
                    f"coroutine, passez-lui « await {name}(...) » (voir « Les outils "
                    "principaux »)."
                )
            elif code is not None and code is _ASYNCIO_SLEEP_CODE:
                message = (
                    f"{quoted(where)} : asyncio.sleep(...) sans await n'attend pas du tout. Il "
                    "crée une coroutine aussitôt jetée, et le programme continue sans pause. "
                    "Écrivez « await asyncio.sleep(...) » (voir « async et await », « Les pièges "
                    "classiques »)."
                )
            else:
                message = (
                    f"{quoted(where)} appelle {name}() sans await : l'appel renvoie un objet "
                    f"coroutine au lieu de son résultat, et le corps de {name} ne s'exécute jamais "
                    "(Python prévient seulement « was never awaited »). Ajoutez « await » devant "
                    "l'appel, ou lancez-la avec asyncio.create_task (voir « async et await », "
                    "« Les pièges classiques »)."
                )
            self.ctx.add("never-awaited", where, message)
        except Exception:  # called from a finalizer: must never raise
            return

    def _awaits_at(self, filename: str, line: int) -> bool:
        """Whether the statement holding `line` awaits something."""
        tree = self.ctx.tree(filename)
        if tree is None:
            return False
        statements = [n for n in source.path_in(tree, line) if isinstance(n, ast.stmt)]
        return bool(statements) and source.has(statements[-1], ast.Await) is not None
