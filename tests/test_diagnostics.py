"""Each classic asyncio mistake is named in the report at its line; correct code is named nowhere.

The submissions are small exercises of the kit's own (`tests/pitfalls/`), one
per kind of diagnostic: `fautes/` makes each mistake on a line marked
`# <- <kind>`, `correct/` does the same work the right way. That the five
reference solutions get no diagnostic is checked in `test_reference.py`.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.metadata import SUITES, load_catalogue
from grader.results import ExerciseResult, Report, Status

PITFALLS = Path(__file__).parent / "pitfalls"
CATALOGUE = load_catalogue(PITFALLS / "catalogue.toml")
MARK = re.compile(r"#\s*<-\s*([a-z-]+)")

pytestmark = pytest.mark.timeout(120)

# kind -> (exercise that makes the mistake, words the report must say about it)
KINDS = {
    "blocking-call": (
        "sommeil",
        ["time.sleep(duree)", "pendant 1 s", "telecharger", "await asyncio.sleep"],
    ),
    "busy-wait": (
        "attente",
        [
            "while time.perf_counter() < fin:",
            "await asyncio.sleep(0)",
            "le processeur tourne à vide pendant 1.00 s",
            "tâches retenues : horloge, patienter",
            "evenement.wait()",
        ],
    ),
    "blocking-io": (
        "entrees_sorties",
        ["(open)", "(subprocess.run)", "(urllib.request.urlopen)", "asyncio.to_thread", "httpx"],
    ),
    "cpu-bound": (
        "calcul",
        ["resultat = calcul_lourd()", "asyncio.to_thread", "ProcessPoolExecutor"],
    ),
    "never-awaited": (
        "oubli",
        ["asyncio.sleep(...) sans await", "recuperer() sans await", "objet coroutine"],
    ),
    "lost-task": (
        "taches",
        ["la tâche verifier", "ConnectionError : service injoignable", "ligne 11"],
    ),
    "swallowed-cancel": (
        "annulation",
        ["except asyncio.CancelledError:", "« except: »", "« raise »", "wait_for", "bloc finally"],
    ),
    "deadlock": ("file", ["sentinelle None pour chaque consommateur", "task_done()"]),
}

SECTIONS = (
    "« async et await »",
    "« Les outils principaux »",
    "« Producteurs et consommateurs avec une Queue »",
    "« Les pièges classiques »",
)


@pytest.fixture(scope="module")
def suites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One test per catalogue entry, each running the submission's function of that name.

    Written here rather than kept in the tree, where the kit's own pytest run
    would collect them.
    """
    root = tmp_path_factory.mktemp("suites")
    (root / "public").mkdir()
    shutil.copy(SUITES / "pytest.ini", root / "pytest.ini")
    for spec in CATALOGUE.exercises:
        tests = [f"\n\ndef test_{t.id}(student):\n    run(student.{t.id})\n" for t in spec.tests]
        suite = "from grader.judge.harness import run\n" + "".join(tests)
        (root / "public" / f"test_{spec.id}.py").write_text(suite, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def grade_folder(suites: Path, grade: Callable[..., Report]) -> Callable[[str], Report]:
    return lambda name: grade(PITFALLS / name, catalogue=CATALOGUE, suites=suites)


@pytest.fixture(scope="module")
def fautes(grade_folder: Callable[[str], Report]) -> Report:
    return grade_folder("fautes")


def exercise(report: Report, exercise_id: str) -> ExerciseResult:
    return next(e for e in report.exercises if e.id == exercise_id)


def marked(exercise_id: str) -> set[tuple[str, str, int]]:
    """The (kind, file, line) of each mistake, as marked in the submission."""
    path = PITFALLS / "fautes" / f"{exercise_id}.py"
    lines = path.read_text(encoding="utf-8").splitlines()
    return {(m[1], path.name, n) for n, text in enumerate(lines, 1) if (m := MARK.search(text))}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_mistake_is_named_at_its_line(fautes: Report, kind: str) -> None:
    exercise_id, words = KINDS[kind]
    diagnostics = exercise(fautes, exercise_id).diagnostics
    # Every marked line, and nothing else: no second guess at a line nearby.
    assert {(d.kind, d.file, d.line) for d in diagnostics} == marked(exercise_id)
    text = "\n".join(d.message for d in diagnostics)
    for word in words:
        assert word in text, f"{word!r} missing from:\n{text}"
    for diagnostic in diagnostics:
        assert any(section in diagnostic.message for section in SECTIONS), diagnostic.message
        # The student's code is quoted without the comment that ends the line.
        assert "<-" not in diagnostic.message


def test_a_diagnostic_never_costs_points(fautes: Report) -> None:
    # The suites only run the code: what fails here is the code itself (a
    # deadlock), never the diagnostics it earned.
    failed = {
        f"{e.id}/{t.id}" for e in fautes.exercises for t in e.tests if t.status is not Status.PASSED
    }
    assert failed == {"file/sans_sentinelle", "file/sans_task_done"}


def test_correct_code_is_named_nowhere(grade_folder: Callable[[str], Report]) -> None:
    report = grade_folder("correct")
    assert [(e.id, d.kind, d.line) for e in report.exercises for d in e.diagnostics] == []
    assert all(t.status is Status.PASSED for e in report.exercises for t in e.tests)


def test_same_code_same_diagnostics(fautes: Report, grade_folder: Callable[[str], Report]) -> None:
    again = grade_folder("fautes")
    assert [e.diagnostics for e in again.exercises] == [e.diagnostics for e in fautes.exercises]


def test_a_blocking_function_is_sent_to_a_thread_and_a_sleep_becomes_asyncio_sleep() -> None:
    from grader.executor.clock import BlockingCall, Location
    from grader.executor.diagnostics.blocking import sleeps

    called = Location("ex.py", 7, "traiter", "profil = lire_profil_bloquant(user_id)")
    slept = Location("ex.py", 9, "traiter", "time.sleep(0.5)")
    given, own = sleeps([BlockingCall(called, 0.2, (), 0.0), BlockingCall(slept, 0.5, (), 0.2)])
    assert "asyncio.to_thread(fonction, ...)" in given.message
    assert "asyncio.sleep" not in given.message
    assert "await asyncio.sleep(...)" in own.message and "to_thread" not in own.message
