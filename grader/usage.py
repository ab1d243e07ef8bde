"""Mistakes in how the grader was called, found before any grading starts.

One error type and one wording for every entry point (`python -m grader`,
`nox -s watch`, `grader.runner.grade` called from code): each entry point
prints the message as one line and exits with status 2 (`grader.cli`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from grader.metadata import AssignmentSpec, Catalogue, ExerciseSpec

EXIT_USAGE = 2


class UsageError(Exception):
    """A mistake in how the grader was called: one line on stderr, exit status 2."""


def usage_error(prog: str, exc: Exception | str, stream: TextIO | None = None) -> int:
    """Say a usage error on one line of `stream` (stderr); the exit status for it."""
    # One line, whatever the message held: scripts read stderr line by line.
    message = " ".join(str(exc).split())
    print(f"{prog} : erreur : {message}", file=sys.stderr if stream is None else stream)
    return EXIT_USAGE


class _HelpFormatter(argparse.HelpFormatter):
    def add_usage(
        self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None
    ) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """The kit's command lines (the grader's and its tools'): French help, one-line errors."""

    def __init__(self, prog: str, description: str, epilog: str | None = None) -> None:
        super().__init__(
            prog=prog,
            description=description,
            epilog=epilog,
            add_help=False,
            formatter_class=_HelpFormatter,
        )
        self.add_argument("-h", "--help", action="help", help="affiche cette aide et s'arrête")

    # argparse prints its whole usage block and exits by itself; the contract
    # asks for a single line, so its complaints become ordinary usage errors.
    def error(self, message: str) -> NoReturn:
        raise UsageError(_translate_argparse(message))


def _translate_argparse(message: str) -> str:
    # argparse's messages are English and the student reads French; the
    # common ones get a French wording, the rest keep argparse's own words.
    for english, french in (
        ("unrecognized arguments: ", "option inconnue : "),
        ("ambiguous option: ", "option ambiguë : "),
        ("the following arguments are required: ", "il manque : "),
    ):
        if message.startswith(english):
            return french + message.removeprefix(english)
    if not message.startswith("argument "):
        return message
    option, _, detail = message.removeprefix("argument ").partition(": ")
    if detail.startswith("expected one argument"):
        return f"{option} attend une valeur"
    if detail.startswith("expected at least one argument"):
        return f"{option} attend au moins une valeur"
    if detail.startswith(("invalid int value: ", "invalid float value: ")):
        return f"{option} attend un nombre, pas {detail.partition(': ')[2]}"
    if detail.startswith("invalid choice: "):
        # "invalid choice: 'x' (choose from 'a', 'b')", quoted or not by version.
        allowed = detail.partition("(choose from ")[2].removesuffix(")").replace("'", "")
        return f"valeur invalide pour {option} ; valeurs possibles : {allowed}"
    if detail.startswith("ignored explicit argument "):
        return f"{option} ne prend pas de valeur"
    return f"{option} : {detail}"


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
