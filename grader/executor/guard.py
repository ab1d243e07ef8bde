"""What student code rebound in the tools it is graded on, found and put back around each call."""

from __future__ import annotations

import asyncio
import sys
import types
from dataclasses import dataclass
from operator import is_not

# Modules whose attributes student code must not rebind: the tools it is graded
# on, the time functions the clock controls, and the executor itself (every
# loaded module of the package, found when the guard is taken).
_GUARDED = ("asyncio", "time", "datetime")
_GUARDED_PACKAGES = ("grader.protocol", "grader.executor")

_MISSING = object()


@dataclass
class Guard:
    """A snapshot of the guarded modules and the loop policy, to find what student code rebound."""

    namespaces: list[tuple[str, types.ModuleType, dict[str, object]]]
    policy: object

    @classmethod
    def take(cls) -> Guard:
        # A plain copy of each namespace: this runs around every call of the
        # student's code, so it must cost next to nothing.
        names = [*_GUARDED, *(n for n in list(sys.modules) if n.startswith(_GUARDED_PACKAGES))]
        # Real modules only: what student code put in sys.modules under such a
        # name could run its own code when its namespace is read.
        namespaces = [
            (name, module, dict(vars(module)))
            for name in names
            if type(module := sys.modules.get(name)) is types.ModuleType
        ]
        return cls(namespaces, asyncio.get_event_loop_policy())

    def restore(self) -> list[str]:
        """Put back whatever was changed; returns the changed names, e.g. ["asyncio.sleep"]."""
        changed = []
        for module_name, module, saved in self.namespaces:
            if sys.modules.get(module_name) is not module:
                # The module itself replaced in sys.modules: the original goes back.
                changed.append(module_name)
                sys.modules[module_name] = module
            current = vars(module)
            if _same_entries(saved, current):
                continue
            for name in [k for k, v in saved.items() if current.get(k, _MISSING) is not v]:
                if not name.startswith("__"):
                    changed.append(f"{module_name}.{name}")
                setattr(module, name, saved[name])
        if asyncio.get_event_loop_policy() is not self.policy:
            changed.append("la politique d'event loop (asyncio.set_event_loop_policy)")
            asyncio.set_event_loop_policy(self.policy)  # type: ignore[arg-type]
        return changed


def _same_entries(saved: dict[str, object], current: dict[str, object]) -> bool:
    """Whether `current` holds the very objects `saved` does, under the same keys, in order.

    The usual answer, found in C by identity alone: `==` would call a
    student's `__eq__`, which may lie. Anything else (an entry rebound,
    added, removed or moved) takes the slow path, which names it.
    """
    return (
        len(saved) == len(current)
        and not any(map(is_not, saved, current))
        and not any(map(is_not, saved.values(), current.values()))
    )
