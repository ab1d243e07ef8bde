"""The reference solutions get every point; the untouched stubs get none, each saying why."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from grader.metadata import load_catalogue
from grader.results import Report, Status
from grader.tools import check

ROOT = Path(__file__).resolve().parent.parent
# Every exercise of every assignment.
EVERY = list(load_catalogue().ids)


def test_solutions_get_every_point(grade: Callable[..., Report]) -> None:
    report = grade(ROOT / "solutions", EVERY)
    # Every test passed, and none of the mistakes the diagnostics look for.
    assert check.solution_problems(report) == []
    assert report.score == report.max_score == 20.0 * len(EVERY)
    # The catalogue names ex1's EXPLICATION as the text shown to the instructor; no other
    # exercise has one.
    explanations = {e.id: e.explanation for e in report.exercises}
    assert explanations.pop("ex1_sync_vs_async")
    assert set(explanations.values()) == {None}


def test_stubs_get_0_and_say_what_is_left(grade: Callable[..., Report]) -> None:
    report = grade(ROOT / "exercises", EVERY)
    assert report.score == 0.0
    assert check.stub_problems(report) == []
    for exercise in report.exercises:
        for test in exercise.tests:
            assert test.status is Status.ERROR, f"{exercise.id}/{test.id}: {test.status}"
