"""Mistakes in how the grader was called, found before any grading starts.

One error type and one wording for every entry point (`python -m grader`,
`nox -s watch`, `grader.runner.grade` called from code): each entry point
prints the message as one line and exits with status 2 (`grader.cli`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from grader.metadata import AssignmentSpec, Catalogue, ExerciseSpec


class UsageError(Exception):
    """A mistake in how the grader was called: one line on stderr, exit status 2."""


def parse_only(
    raw: str | None, catalogue: Catalogue, assignment: str | None = None
) -> list[str] | None:
    """`--only ex1,ex2` and `--assignment NAME` as exercise ids, in order, each once.

    None when neither is given: the default assignment's exercises are graded.
    """
    if raw is None:
        if assignment is None:
            return None
        return [e.id for e in chosen_exercises(catalogue, None, assignment)]
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if not names:
        raise UsageError("--only attend au moins un nom d'exercice")
    return [e.id for e in chosen_exercises(catalogue, names, assignment)]


def chosen_assignment(catalogue: Catalogue, name: str | None) -> AssignmentSpec:
    """`--assignment NAME` as the catalogue's assignment; the default one for None."""
    if name is None:
        return catalogue.default
    try:
        return catalogue.assignment(name)
    except KeyError:
        known = ", ".join(a.id for a in catalogue.assignments) or "aucun"
        raise UsageError(f"devoir inconnu : {name} ; devoirs connus : {known}") from None


def chosen_exercises(
    catalogue: Catalogue, only: Sequence[str] | None, assignment: str | None = None
) -> list[ExerciseSpec]:
    """The exercises to grade, each once.

    Without `only`: the assignment's (the default one's for None). With `only`:
    those exercises, from the assignment when one is named, else from the
    whole catalogue (`--only ex7_generateurs` needs no `--assignment`).
    """
    chosen = chosen_assignment(catalogue, assignment)
    if not only:
        return [catalogue.get(name) for name in chosen.exercises]
    pool = chosen.exercises if assignment is not None else catalogue.ids
    unknown = [name for name in only if name not in pool]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        where = f" dans le devoir {assignment}" if assignment is not None else ""
        raise UsageError(
            f"exercice{plural} inconnu{plural}{where} : {', '.join(unknown)} ; "
            f"exercices connus{where} : {', '.join(pool)}"
        )
    # Duplicates would grade the same exercise twice.
    return [catalogue.get(name) for name in dict.fromkeys(only)]


def check_target(
    target: Path, exercises: list[ExerciseSpec], *, modules_required: bool = True
) -> None:
    """The folder exists and holds at least one of these exercises' modules.

    Without `modules_required`, an existing folder is enough: a platform's
    grade of a submission that holds no module is 0, said in the report,
    rather than no grade at all.
    """
    if not target.exists():
        raise UsageError(f"le dossier « {target} » n'existe pas")
    if not target.is_dir():
        raise UsageError(f"« {target} » n'est pas un dossier")
    if modules_required and not any((target / f"{e.id}.py").is_file() for e in exercises):
        expected = ", ".join(f"{e.id}.py" for e in exercises)
        raise UsageError(
            f"le dossier « {target} » ne contient aucun module d'exercice (attendus : {expected})"
        )
