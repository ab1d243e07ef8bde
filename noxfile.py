"""Les sessions du kit, lancées avec nox (`python -m pip install nox`).

    nox -s grade        corrige vos exercices (dossier exercises/)
    nox -s check        les tests publics seulement
    nox -s watch        corrige chaque exercice dès qu'il est enregistré (pas lancée par défaut)
    nox -s timeline -- ex2_telechargeur   dessine ce que fait l'exercice (pas lancée par défaut)
    nox -s solutions    vérifie que les solutions de référence ont 100/100
    nox -s dev-check    vérifie catalogue, dossiers, solutions et squelettes (pas lancée par défaut)
    nox -s tests        les tests du kit lui-même, sur chaque Python pris en charge
    nox -s lint         ruff et mypy
    nox -s bench        mesure la vitesse du correcteur (pas lancée par défaut)
    nox -s export       prépare le dépôt des élèves (pas lancée par défaut)
    nox -s gradescope -- autograder.zip   le zip de l'autograder Gradescope (pas lancée par défaut)
    nox -s soak         50 corrections sous charge, rapports identiques (pas lancée par défaut)

`nox -l` liste les sessions ; ce qui suit `--` est passé à la commande de la
session, par exemple `nox -s grade -- --only ex2_telechargeur`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nox

# The helpers this noxfile shares with the students' (template/noxfile.py).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from grader.tools import nox_support

nox.needs_version = ">=2024.4.15"
nox_support.configure()
# Each supported Python the machine has is tested; one it lacks is skipped,
# on CI too, rather than failing the run or being downloaded.
nox.options.error_on_missing_interpreters = False
nox.options.download_python = "never"

PYPROJECT = nox.project.load_toml("pyproject.toml")
# From requires-python up to the newest version the kit is known to work on.
PYTHONS = nox.project.python_versions(PYPROJECT, max_version="3.13")


def _dev_requirements(*names: str) -> list[str]:
    """The dev extra's requirements for these tools, with the bounds pyproject.toml gives."""
    dev = PYPROJECT["project"]["optional-dependencies"]["dev"]
    return [req for req in dev if re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0] in names]


def _grade(session: nox.Session, *args: str) -> None:
    nox_support.run_grader(session, "grader", *args)


@nox.session
def grade(session: nox.Session) -> None:
    """Corrige le dossier exercises/ (ou toute une classe : -- --submissions DIR --csv F)."""
    # `--submissions DIR --csv FILE` grades a whole class instead of one folder.
    chosen = any(arg.split("=")[0] in ("--target", "--submissions") for arg in session.posargs)
    _grade(session, *([] if chosen else ["--target", "exercises"]))


@nox.session
def check(session: nox.Session) -> None:
    """Corrige exercises/ avec les tests publics seulement, sans les tests cachés."""
    _grade(session, "--target", "exercises", "--public-only")


@nox.session
def solutions(session: nox.Session) -> None:
    """Corrige les solutions de référence : échoue si elles n'ont pas 100/100."""
    _grade(session, "--target", "solutions", "--min-score", "100")


@nox.session(name="dev-check", default=False)
def dev_check(session: nox.Session) -> None:
    """Vérifie catalogue, énoncés, solutions, suites et copies du kit (-- --static : sans noter)."""
    nox_support.run_grader(session, "grader.tools.check")


@nox.session(default=False)
def watch(session: nox.Session) -> None:
    """Corrige chaque exercice de exercises/ dès que vous l'enregistrez (Ctrl-C pour arrêter)."""
    nox_support.watch(session)


@nox.session(default=False)
def timeline(session: nox.Session) -> None:
    """Dessine ce que fait un exercice sur l'horloge virtuelle, sans le corriger (-- exN)."""
    nox_support.timeline(session)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Lance les tests du kit (pytest tests) sur chaque Python pris en charge présent ici."""
    # The project's own dependencies are the test tools (pytest, hypothesis…);
    # the `test` extra adds parallel runs and the workflow linter.
    session.install("-e", ".[test]")
    # Three workers on a two-core machine: the tests of endless loops and
    # stuck copies spend seconds waiting on real-time limits, and a third
    # worker uses the core meanwhile (157 s against 171 s with two, on 3.11).
    session.run("python", "-m", "pytest", "-n", "3", "tests", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Vérifie le style (ruff check, ruff format --check) et les types du correcteur (mypy)."""
    # Only the two tools this session runs: the rest of the dev extra is not
    # needed here, and some of it downloads binaries when it installs.
    session.install("-e", ".", *_dev_requirements("ruff", "mypy"))
    paths = session.posargs or ["."]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)
    # Without arguments mypy checks what pyproject.toml names: grader/.
    session.run("mypy", *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Mesure le temps réel, le temps virtuel et la mémoire d'une correction des solutions."""
    nox_support.run_grader(session, "grader.tools.bench")


@nox.session(default=False)
def export(session: nox.Session) -> None:
    """Construit le dépôt modèle des élèves (sans les solutions ni les tests cachés)."""
    nox_support.run_grader(session, "grader.tools.export")


@nox.session(default=False)
def gradescope(session: nox.Session) -> None:
    """Écrit le zip de l'autograder Gradescope d'un devoir (-- autograder.zip [--assignment D])."""
    nox_support.run_grader(session, "grader.tools.gradescope")


@nox.session(default=False)
def soak(session: nox.Session) -> None:
    """Corrige 50 fois une copie partielle sous charge : les rapports doivent être identiques."""
    session.install("-e", ".[test]")
    session.env["GRADER_DETERMINISM_RUNS"] = "50"
    session.run("python", "-m", "pytest", "tests/test_determinism.py", *session.posargs)
