"""Shared fixtures for the kit's own tests."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.results import Diagnostic, ExerciseResult, Report, Status, TestResult

# Suites and submissions that the kit's tests hand to the grader as data:
# pytest must not collect them itself (their test files share basenames).
collect_ignore_glob = ["engine/suites/*", "submissions/*"]


def make_report(*, public_only: bool = False) -> Report:
    """A fixed report with every status, hidden tests, diagnostics and an explanation.

    Built by hand so the report formats can be checked without running any
    exercise; its texts are the kind the real suites write.
    """
    ex1 = ExerciseResult(
        id="ex1_sync_vs_async",
        title="Synchrone contre asynchrone",
        tests=(
            TestResult(
                id="resultats_sync",
                title="run_sync renvoie les trois listes dans l'ordre",
                hidden=False,
                status=Status.PASSED,
                score=4.0,
                max_score=4.0,
            ),
            TestResult(
                id="duree_async",
                title="run_async dure 3 s (le maximum, pas la somme)",
                hidden=False,
                status=Status.FAILED,
                score=0.0,
                max_score=6.0,
                message=(
                    "run_async() a duré 6.00 s ; attendu 3.00 s : les trois coroutines "
                    "doivent attendre en même temps."
                ),
                hint="Relisez « Les outils principaux » : asyncio.gather lance tout d'un coup.",
            ),
            TestResult(
                id="duree_totale_quelconque",
                title="duree_totale sur n'importe quelle liste",
                hidden=True,
                status=Status.PASSED,
                score=10.0,
                max_score=10.0,
            ),
        ),
        diagnostics=(
            Diagnostic(
                kind="blocking-call",
                file="ex1_sync_vs_async.py",
                line=42,
                message=(
                    "time.sleep(2) bloque l'event loop : pendant 2 s aucune autre tâche ne peut "
                    "avancer. Dans une coroutine, on attend avec « await asyncio.sleep(...) »."
                ),
            ),
        ),
        explanation="La version asynchrone attend les trois réponses en même temps.",
    )
    ex2 = ExerciseResult(
        id="ex2_telechargeur",
        title="Téléchargeur concurrent avec progression",
        tests=(
            TestResult(
                id="affiche_a_l_achevement",
                title="chaque ligne s'affiche quand son téléchargement finit",
                hidden=True,
                status=Status.ERROR,
                score=0.0,
                max_score=4.0,
                message=(
                    "telecharger_tout({'a.zip': 1.2}) a levé KeyError: 'b.zip' "
                    "(ex2_telechargeur.py, ligne 17)."
                ),
                hint="« Les outils principaux » : as_completed donne les tâches dans l'ordre où "
                "elles finissent.",
            ),
            TestResult(
                id="boucle_infinie",
                title="telecharger_tout se termine",
                hidden=False,
                status=Status.TIMEOUT,
                score=0.0,
                max_score=8.0,
                message="Le test a dépassé 10 s de temps réel : une boucle sans fin ? "
                "(ex2_telechargeur.py, ligne 23)",
            ),
            TestResult(
                id="total",
                title="le total est celui du plus long [sans markup]",
                hidden=False,
                status=Status.PASSED,
                score=8.0,
                max_score=8.0,
            ),
        ),
        diagnostics=(
            Diagnostic(
                kind="deadlock",
                file=None,
                line=None,
                message="[EN LIGNE] toutes les tâches attendent quelque chose qui n'arrivera pas.",
            ),
            Diagnostic(kind="new-kind", file="ex2_telechargeur.py", line=None, message="Texte."),
        ),
    )
    ex3 = ExerciseResult(
        id="ex3_timeouts",
        title="Timeout sur des tâches réseau",
        tests=(
            TestResult(
                id="classement",
                title="classement des serveurs",
                hidden=False,
                status=Status.ERROR,
                score=0.0,
                max_score=20.0,
                message="le fichier ex3_timeouts.py est introuvable dans le dossier copie/",
            ),
        ),
        problem="le fichier ex3_timeouts.py est introuvable dans le dossier copie/",
    )
    return Report(exercises=(ex1, ex2, ex3), public_only=public_only, target="copie")


# Test modules take these fixtures rather than importing this file: pytest
# may have imported another conftest.py under the same module name.
@pytest.fixture
def report() -> Report:
    return make_report()


@pytest.fixture
def public_report() -> Report:
    return make_report(public_only=True)


@pytest.fixture
def reaper() -> Iterator[Callable[[], list[int]]]:
    """`left()`: the live processes this test started and that are still there.

    Processes already running when the test began (the session's `judges`)
    are not counted.

    While the test runs, this process is the reaper of every orphan of its
    descendants (Linux's PR_SET_CHILD_SUBREAPER), so a daemon that double
    forks is still counted; dead ones are reaped before counting.
    """
    import ctypes
    import os

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
        pytest.skip("pas de PR_SET_CHILD_SUBREAPER ici : les processus restants ne se comptent pas")
    # What ran before the test (the session's shared judges) is not its doing.
    before = set(_live_descendants(os.getpid()))

    def left() -> list[int]:
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
        return [pid for pid in _live_descendants(os.getpid()) if pid not in before]

    try:
        yield left
    finally:
        libc.prctl(36, 0, 0, 0, 0)


def _live_descendants(root: int) -> list[int]:
    import os

    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != b"Z":
            parents[int(entry)] = int(fields[1])
    found: list[int] = []
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.extend(children)
        frontier.extend(children)
    return sorted(found)


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A TMPDIR for a real grader: short, so that every folder the grader makes is in it.

    Under a long TMPDIR (pytest's own) the executor server's socket would go
    to /tmp instead (`grader.isolation.sandbox`), out of the test's sight.
    """
    folder = Path(tempfile.mkdtemp(prefix="kit-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _processes_in(folder: Path) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = Path(os.readlink(entry / "cwd"))
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # ended meanwhile, or not ours to read
        if cwd == folder or folder in cwd.parents:
            found.append(f"{entry.name}: {command}")
    return found


@pytest.fixture
def processes_in() -> Callable[[Path], list[str]]:
    """The processes working in a folder or below: a grader's judges and executor servers
    work in its TMPDIR, so none may be left there once it has ended."""
    return _processes_in


@pytest.fixture(scope="session")
def judges() -> Iterator[Any]:
    """One warm fork server of judges for the session (each xdist worker has its own).

    Starting one imports pytest and hypothesis, 1.3 to 1.9 s; a grade without
    one starts its own. Sharing it is what class grading does: every judge is
    still a fresh fork, and each grade still gets executors of its own. Tests
    that count the processes a grade leaves behind do not use it.
    """
    from grader.isolation.judges import JudgeServer, fork_server_available

    if not fork_server_available():
        yield None
        return
    with JudgeServer() as server:
        yield server


@pytest.fixture(scope="session")
def grade(judges: Any) -> Callable[..., Report]:
    """`grader.runner.grade`, with the session's judges."""
    from grader import runner

    return functools.partial(runner.grade, judges=judges)
