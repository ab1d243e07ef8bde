"""Pitfall diagnostics: the course's classic mistakes, seen while the code runs.

A diagnostic explains a lost point; it never costs one. The plugin asks the
`Monitor` for the diagnostics of each test once it ends; the parent keeps each
distinct one once per exercise.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.clock import VirtualClock
from grader.results import Diagnostic


@dataclass
class Monitor:
    """Watches one grading process; one instance per pytest session."""

    def start(self) -> None:
        """Called once, after the virtual clock is installed."""

    def stop(self) -> None:
        """Called once, at the end of the session."""

    def begin_test(self, clock: VirtualClock) -> None:
        """Called before each test, with that test's fresh clock."""

    def end_test(self, clock: VirtualClock) -> list[Diagnostic]:
        """The diagnostics of the test that just ended."""
        return [blocking_sleep(call) for call in clock.blocking]


def blocking_sleep(call: object) -> Diagnostic:
    from grader.clock import BlockingCall

    assert isinstance(call, BlockingCall)
    where = call.where
    held = ", ".join(call.held) if call.held else "aucune autre tâche"
    return Diagnostic(
        kind="blocking-call",
        file=where.file if where else None,
        line=where.line if where else None,
        message=(
            f"time.sleep({call.duration:g}) bloque l'event loop : pendant {call.duration:g} s "
            f"aucune autre tâche ne peut avancer (tâches retenues : {held}). Dans une coroutine, "
            "on attend avec « await asyncio.sleep(...) » (voir « async et await » et "
            "« Les pièges classiques »)."
        ),
    )
