"""Where a class's copies are, and where each copy keeps its modules.

Shared by class grading (`batch`) and Gradescope's run (`gradescope`): a copy
uploaded or cloned any of the usual ways is found the same way by both.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def find_submissions(root: Path) -> list[Path]:
    """The student folders of `root`, by name: every folder, graded or not, gets a row."""
    return sorted(
        (entry for entry in root.iterdir() if not entry.name.startswith(".") and entry.is_dir()),
        key=lambda entry: entry.name,
    )


def locate(folder: Path, exercise_ids: Sequence[str]) -> Path | None:
    """Where a student's modules are: `exercises/`, the folder itself, or one level down.

    A repository cloned into a folder of its own, or modules uploaded without
    their folder, are found all the same; None when no exercise module is
    anywhere a student would have put it, or when two places hold some.
    """

    def holds(candidate: Path) -> bool:
        return any((candidate / f"{name}.py").is_file() for name in exercise_ids)

    for candidate in (folder / "exercises", folder):
        if holds(candidate):
            return candidate
    below = [
        candidate
        for child in sorted(folder.iterdir())
        if child.is_dir() and not child.name.startswith(".")
        for candidate in (child / "exercises", child)
        if holds(candidate)
    ]
    return below[0] if len(below) == 1 else None
