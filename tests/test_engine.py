"""Whatever the student's code does, the grader finishes, names the problem and scores the rest.

Each case is a submission of a small exercise of the kit's own (`tests/engine/`),
so these tests do not depend on the course's exercises.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.metadata import load_catalogue
from grader.results import Report, Status
from grader.runner import DEFAULT_TIME_LIMIT, grade

ENGINE = Path(__file__).parent / "engine"
CATALOGUE = load_catalogue(ENGINE / "catalogue.toml")

pytestmark = pytest.mark.timeout(60)


def grade_case(name: str) -> Report:
    return grade(
        ENGINE / "submissions" / name,
        catalogue=CATALOGUE,
        suites=ENGINE / "suites",
    )


# case -> (status of `travail`, words its message must hold, total score)
CASES = {
    "correct": (Status.PASSED, [], 20),
    "syntax_error": (Status.ERROR, ["erreur de syntaxe", "exo.py, ligne 3"], 0),
    "import_error": (Status.ERROR, ["ModuleNotFoundError", "module_qui_n_existe_pas", "import"], 0),
    "missing": (Status.ERROR, ["travail", "introuvable"], 10),
    "not_async": (Status.ERROR, ["async def"], 10),
    "stub": (Status.ERROR, ["travail est encore à compléter", "exo.py, ligne 5"], 10),
    "raises": (Status.ERROR, ["KeyError", "exo.py, ligne 5"], 10),
    "endless": (Status.TIMEOUT, ["temps réel", "exo.py, ligne"], 10),
    "deadlock": (Status.ERROR, ["interblocage", "await file.get()"], 10),
    "busy": (Status.ERROR, ["boucle active", "exo.py, ligne 5"], 10),
    "polling": (Status.ERROR, ["temps simulé"], 10),
    "exit_at_import": (Status.ERROR, ["sys.exit(0)", "import"], 0),
    "exit_in_coroutine": (Status.ERROR, ["sys.exit(3)", "exo.py, ligne 6"], 10),
    "os_exit_at_import": (Status.ERROR, ["os._exit(0)", "import"], 0),
    "os_exit_in_coroutine": (Status.ERROR, ["os._exit(0)", "exo.py, ligne 5"], 10),
    "crash": (Status.ERROR, ["arrêté brutalement"], 10),
    # Its parent is the executors' fork server, which holds nothing: killing it
    # harms no other test (the next executors start as fresh interpreters).
    "kill_parent": (Status.FAILED, ["a duré 0.00 s"], 10),
    "patched_sleep": (Status.ERROR, ["asyncio.sleep"], 0),
    "timeout_str": (
        Status.ERROR,
        ["asyncio.wait_for a reçu '5', de type str", "type=float", "exo.py, ligne 8"],
        10,
    ),
    "gather_sans_await": (
        Status.ERROR,
        ["sans await", "a, b, c = await asyncio.gather(...)", "exo.py, ligne 10"],
        10,
    ),
    "flood": (Status.FAILED, ["travail(2) a renvoyé 0"], 10),
    # A forked worker would inherit the virtual clock with no loop to move it:
    # refused at once and said, rather than a real-time limit per test.
    "process_pool": (
        Status.ERROR,
        ["a voulu créer un autre processus", "exo.py, ligne 12", "asyncio.to_thread"],
        10,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_failure_mode_is_named_and_the_rest_is_scored(name: str) -> None:
    status, words, score = CASES[name]
    report = grade_case(name)
    [exercise] = report.exercises
    travail = next(t for t in exercise.tests if t.id == "travail")
    assert travail.status is status, travail.message
    for word in words:
        assert word in travail.message
    assert report.score == score
    for test in exercise.tests:
        # Points only for what passed, and every failure says why.
        assert (test.score > 0) == (test.status is Status.PASSED)
        assert test.status is Status.PASSED or test.message


def test_endless_loop_is_reported_with_its_line() -> None:
    [exercise] = grade_case("endless").exercises
    [diagnostic] = [d for d in exercise.diagnostics if d.kind == "endless-loop"]
    # The loop's own line, wherever in it the stacks were taken.
    assert (diagnostic.file, diagnostic.line) == ("exo.py", 5)
    # Stopped at its real-time limit, it took that long (JUnit says so).
    [stopped] = [t for t in exercise.tests if t.status is Status.TIMEOUT]
    assert stopped.duration >= DEFAULT_TIME_LIMIT


def test_an_endless_loop_costs_one_real_time_limit_per_exercise() -> None:
    # The second test to enter the loop is stopped as soon as it is seen there,
    # not at its own limit; the test that never enters it is graded as usual.
    [exercise] = grade_case("endless_twice").exercises
    statuses = {t.id: t.status for t in exercise.tests}
    assert statuses == {
        "travail": Status.TIMEOUT,
        "ensemble": Status.TIMEOUT,
        "double": Status.PASSED,
    }
    first, second = (next(t for t in exercise.tests if t.id == i) for i in ("travail", "ensemble"))
    assert "dépassé 5 s de temps réel" in first.message and "exo.py, ligne 6" in first.message
    assert "même boucle sans fin" in second.message and "exo.py, ligne 6" in second.message
    assert "sans attendre les 5 s" in second.message


def test_a_coroutine_handed_to_a_failing_await_is_not_called_unawaited() -> None:
    # The await is on the line: the diagnostic says the call failed before
    # awaiting. A call over several lines is quoted whole, not its first line.
    [exercise] = grade_case("timeout_str").exercises
    [diagnostic] = [d for d in exercise.diagnostics if d.kind == "never-awaited"]
    assert "ne l'a pas attendue" in diagnostic.message and "Ajoutez" not in diagnostic.message
    [exercise] = grade_case("gather_sans_await").exercises
    travail = next(t for t in exercise.tests if t.id == "travail")
    assert "a, b = asyncio.gather(moitie(x), moitie(x))" in travail.message


def test_nothing_the_student_prints_reaches_the_report() -> None:
    report = grade_case("flood")
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    assert "Note : 100" not in text and '"score": 100' not in text
    assert len(text) < 5_000


def test_a_crash_still_runs_the_tests_after_it() -> None:
    [exercise] = grade_case("crash").exercises
    statuses = {t.id: t.status for t in exercise.tests}
    assert statuses == {"travail": Status.ERROR, "ensemble": Status.PASSED, "double": Status.PASSED}


@pytest.mark.parametrize("name", ["correct", "endless", "crash"])
def test_without_the_fork_server_children_are_plain_subprocesses(name: str) -> None:
    # Where there is no fork (Windows), each child is `python -m grader.judge`.
    from grader.runner import grade_exercise

    status, _, score = CASES[name]
    result, _ = grade_exercise(
        ENGINE / "submissions" / name,
        CATALOGUE.get("exo"),
        judges=None,
        suites=ENGINE / "suites",
    )
    assert result.score == score
    assert next(t for t in result.tests if t.id == "travail").status is status


def test_without_the_fork_server_killing_the_parent_kills_the_judge_and_only_that_test() -> None:
    # A fresh interpreter's parent is the judge itself: the runner names it and
    # runs the other tests in a new judge.
    from grader.runner import grade_exercise

    result, _ = grade_exercise(
        ENGINE / "submissions" / "kill_parent",
        CATALOGUE.get("exo"),
        judges=None,
        suites=ENGINE / "suites",
    )
    statuses = {t.id: t.status for t in result.tests}
    assert statuses == {"travail": Status.ERROR, "ensemble": Status.PASSED, "double": Status.PASSED}
    travail = next(t for t in result.tests if t.id == "travail")
    assert "arrêté le processus du correcteur" in travail.message


def test_a_guarded_module_replaced_in_sys_modules_is_put_back() -> None:
    import sys
    import time as real
    import types

    from grader.executor.guard import Guard

    guard = Guard.take()
    sys.modules["time"] = types.SimpleNamespace(sleep=lambda seconds: None)  # type: ignore[assignment]
    sys.modules["grader.executor.leurre"] = types.SimpleNamespace()  # type: ignore[assignment]
    try:
        changed = guard.restore()
        assert sys.modules["time"] is real
        assert Guard.take().namespaces  # an object posing as a module is never read
    finally:
        sys.modules["time"] = real
        sys.modules.pop("grader.executor.leurre", None)
    assert "time" in changed
