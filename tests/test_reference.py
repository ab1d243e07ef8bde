"""The reference solutions get every point; the untouched stubs get none, each saying why."""

from __future__ import annotations

from pathlib import Path

from grader.results import Status
from grader.runner import grade

ROOT = Path(__file__).resolve().parent.parent


def test_solutions_get_100() -> None:
    report = grade(ROOT / "solutions")
    failing = {
        f"{e.id}/{t.id}": t.message
        for e in report.exercises
        for t in e.tests
        if t.status is not Status.PASSED
    }
    assert not failing
    assert (report.score, report.max_score) == (100.0, 100.0)
    # The reference code makes none of the mistakes the diagnostics look for.
    assert [d for e in report.exercises for d in e.diagnostics] == []
    # The catalogue names ex1's EXPLICATION as the text shown to the instructor; no other
    # exercise has one.
    explanations = {e.id: e.explanation for e in report.exercises}
    assert explanations.pop("ex1_sync_vs_async")
    assert set(explanations.values()) == {None}


def test_stubs_get_0_and_say_what_is_left() -> None:
    report = grade(ROOT / "exercises")
    assert report.score == 0.0
    for exercise in report.exercises:
        for test in exercise.tests:
            assert test.status is Status.ERROR, f"{exercise.id}/{test.id}: {test.status}"
            assert "à compléter" in test.message, f"{exercise.id}/{test.id}: {test.message}"
