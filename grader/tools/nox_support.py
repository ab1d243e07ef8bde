"""What the kit's noxfile and the students' (`template/noxfile.py`) share.

Both run in nox's own interpreter, where the kit is not installed: each puts
its folder on `sys.path` and imports this module, which needs nothing but
nox and the standard library.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import nox

# Real seconds the grader gets to stop its judges after Ctrl-C. nox's own
# default (0.3 s, then SIGTERM, then SIGKILL 0.2 s later) could kill it while
# it ends the student's processes; it stops in a fraction of a second.
STOP_GRACE = 5.0

# The extra that `nox -s watch` installs (pyproject.toml).
WATCH_EXTRA = "watch"


def configure() -> None:
    """The options both noxfiles set: environments reused, uv where it is installed."""
    # Creating an environment from scratch on every run would take much longer
    # than reusing it, for no benefit.
    nox.options.reuse_venv = "yes"
    # uv makes the first installation several times faster where it is
    # installed; without it nox uses virtualenv, as it always did.
    nox.options.default_venv_backend = "uv|virtualenv"
    logging.getLogger("nox").addFilter(_not_about_uv)


def _not_about_uv(record: logging.LogRecord) -> bool:
    # nox says « uv binary not found » on every run without uv: nothing is
    # wrong then, and a beginner should not read it as an error.
    return "uv binary not found" not in record.getMessage()


def install_once(session: nox.Session, *requirements: str) -> None:
    """pip install into the session's environment only when pyproject.toml has changed.

    The kit is installed in editable mode, so an edit of the code needs no
    reinstall; a run when nothing changed costs the grade alone. The stamp
    lives in the environment, and goes with it when nox recreates it.
    """
    if session.venv_backend == "none":
        # `nox --no-venv`: the caller's own environment, never installed into.
        session.install(*requirements)
        return
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


def run_grader(session: nox.Session, *args: str, extra: str = "") -> None:
    """Install the kit once, then run `python -m <args>` with the session's arguments last."""
    install_once(session, "-e", f".[{extra}]" if extra else ".")
    session.run("python", "-m", *args, *session.posargs, interrupt_timeout=STOP_GRACE)


def watch(session: nox.Session, *args: str) -> None:
    """The body of both `watch` sessions."""
    run_grader(session, "grader.tools.watch", *args, extra=WATCH_EXTRA)


def timeline(session: nox.Session) -> None:
    """The body of both `timeline` sessions (the exercise comes after `--`)."""
    run_grader(session, "grader.tools.timeline")
