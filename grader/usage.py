"""Mistakes in how the grader was called, found before any grading starts.

One error type and one wording for every entry point (`python -m grader`,
`nox -s watch`, `grader.runner.grade` called from code): each entry point
prints the message as one line and exits with status 2 (`grader.cli`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from grader.metadata import Catalogue, ExerciseSpec


class UsageError(Exception):
    """A mistake in how the grader was called: one line on stderr, exit status 2."""


def parse_only(raw: str | None, catalogue: Catalogue) -> list[str] | None:
    """`--only ex1,ex2` as exercise ids, in the order given, each once; None for all."""
    if raw is None:
        return None
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if not names:
        raise UsageError("--only attend au moins un nom d'exercice")
    return [e.id for e in chosen_exercises(catalogue, names)]


def chosen_exercises(catalogue: Catalogue, only: Sequence[str] | None) -> list[ExerciseSpec]:
    """The catalogue's exercises named by `only` (all of them for None), each once."""
    if not only:
        return list(catalogue.exercises)
    unknown = [name for name in only if name not in catalogue.ids]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise UsageError(
            f"exercice{plural} inconnu{plural} : {', '.join(unknown)} ; "
            f"exercices connus : {', '.join(catalogue.ids)}"
        )
    # Duplicates would grade the same exercise twice.
    return [catalogue.get(name) for name in dict.fromkeys(only)]


def check_target(target: Path, exercises: list[ExerciseSpec]) -> None:
    """The folder exists and holds at least one of these exercises' modules."""
    if not target.exists():
        raise UsageError(f"le dossier « {target} » n'existe pas")
    if not target.is_dir():
        raise UsageError(f"« {target} » n'est pas un dossier")
    if not any((target / f"{e.id}.py").is_file() for e in exercises):
        expected = ", ".join(f"{e.id}.py" for e in exercises)
        raise UsageError(
            f"le dossier « {target} » ne contient aucun module d'exercice (attendus : {expected})"
        )
