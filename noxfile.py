"""Les sessions du kit, lancées avec nox (`python -m pip install nox`).

    nox -s grade        corrige vos exercices (dossier exercises/)
    nox -s check        les tests publics seulement
    nox -s solutions    vérifie que les solutions de référence ont 100/100
    nox -s tests        les tests du kit lui-même, sur chaque Python pris en charge
    nox -s lint         ruff et mypy
    nox -s bench        mesure la vitesse du correcteur (pas lancée par défaut)
    nox -s export       prépare le dépôt des élèves (pas lancée par défaut)
    nox -s soak         50 corrections sous charge, rapports identiques (pas lancée par défaut)

`nox -l` liste les sessions ; ce qui suit `--` est passé à la commande de la
session, par exemple `nox -s grade -- --only ex2_telechargeur`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import nox

nox.needs_version = ">=2024.4.15"

# Reinstalling into an existing environment takes seconds; creating one from
# scratch on every run would take much longer for no benefit.
nox.options.reuse_venv = "yes"
# Each supported Python the machine has is tested; one it lacks is skipped,
# on CI too, rather than failing the run or being downloaded.
nox.options.error_on_missing_interpreters = False
nox.options.download_python = "never"
# uv makes the first installation several times faster where it is installed;
# without it nox uses virtualenv, as it always did.
nox.options.default_venv_backend = "uv|virtualenv"


def _not_about_uv(record: logging.LogRecord) -> bool:
    # nox says « uv binary not found » on every run without uv: nothing is
    # wrong then, and a beginner should not read it as an error.
    return "uv binary not found" not in record.getMessage()


logging.getLogger("nox").addFilter(_not_about_uv)

PYPROJECT = nox.project.load_toml("pyproject.toml")
# From requires-python up to the newest version the kit is known to work on.
PYTHONS = nox.project.python_versions(PYPROJECT, max_version="3.13")


def _dev_requirements(*names: str) -> list[str]:
    """The dev extra's requirements for these tools, with the bounds pyproject.toml gives."""
    dev = PYPROJECT["project"]["optional-dependencies"]["dev"]
    return [req for req in dev if re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0] in names]


def _install_once(session: nox.Session, *requirements: str) -> None:
    """pip install into the session's environment only when pyproject.toml has changed.

    The kit is installed in editable mode, so an edit of the code needs no
    reinstall; a run when nothing changed costs the grade alone. The stamp
    lives in the environment, and goes with it when nox recreates it.
    """
    wanted = hashlib.sha256(
        Path("pyproject.toml").read_bytes() + "\0".join(requirements).encode()
    ).hexdigest()
    stamp = Path(session.virtualenv.location) / ".kit-installed"
    if stamp.is_file() and stamp.read_text() == wanted:
        return
    session.log(
        "Préparation de l'environnement : installation du correcteur et de ses dépendances "
        "(une minute environ ; une seule fois, les lancements suivants n'installent rien)."
    )
    session.install(*requirements)
    stamp.write_text(wanted)


# Real seconds the grader gets to stop its judges after Ctrl-C. nox's own
# default (0.3 s, then SIGTERM, then SIGKILL 0.2 s later) could kill it while
# it ends the student's processes; it stops in a fraction of a second.
_STOP_GRACE = 5.0


def _grade(session: nox.Session, *args: str) -> None:
    _install_once(session, "-e", ".")
    session.run("python", "-m", "grader", *args, *session.posargs, interrupt_timeout=_STOP_GRACE)


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


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Lance les tests du kit (pytest tests) sur chaque Python pris en charge présent ici."""
    # The project's own dependencies are the test tools (pytest, hypothesis…);
    # the `test` extra adds parallel runs and the workflow linter.
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-n", "2", "tests", *session.posargs)


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
    _install_once(session, "-e", ".")
    session.run("python", "-m", "grader.tools.bench", *session.posargs)


@nox.session(default=False)
def export(session: nox.Session) -> None:
    """Construit le dépôt modèle des élèves (sans les solutions ni les tests cachés)."""
    _install_once(session, "-e", ".")
    session.run("python", "-m", "grader.tools.export", *session.posargs)


@nox.session(default=False)
def soak(session: nox.Session) -> None:
    """Corrige 50 fois une copie partielle sous charge : les rapports doivent être identiques."""
    session.install("-e", ".[test]")
    session.env["GRADER_DETERMINISM_RUNS"] = "50"
    session.run("python", "-m", "pytest", "tests/test_determinism.py", *session.posargs)
