"""The catalogue and the suites agree: every test named once, in the right folder, 20 points."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.metadata import SUITES, load_catalogue

CATALOGUE = load_catalogue()
EXERCISES = [e.id for e in CATALOGUE.exercises]


def _test_functions(path: Path) -> list[str]:
    if not path.is_file():
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.name.removeprefix("test_")
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    ]


def test_five_exercises_make_100_points() -> None:
    assert EXERCISES == [
        "ex1_sync_vs_async",
        "ex2_telechargeur",
        "ex3_timeouts",
        "ex4_pipeline",
        "ex5_moniteur",
    ]
    assert sum(e.max_score for e in CATALOGUE.exercises) == 100


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_each_exercise_is_worth_20(exercise_id: str) -> None:
    assert CATALOGUE.get(exercise_id).max_score == 20


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_catalogue_matches_suites(exercise_id: str) -> None:
    exercise = CATALOGUE.get(exercise_id)
    for hidden in (False, True):
        declared = sorted(t.id for t in exercise.tests if t.hidden is hidden)
        found = sorted(_test_functions(exercise.suite_file(hidden, SUITES)))
        assert declared == found, f"{exercise_id} ({'hidden' if hidden else 'public'})"
    ids = [t.id for t in exercise.tests]
    assert len(ids) == len(set(ids)), "a test id is used twice"


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_public_and_hidden_tests_and_hints(exercise_id: str) -> None:
    exercise = CATALOGUE.get(exercise_id)
    public = [t for t in exercise.tests if not t.hidden]
    assert 2 <= len(public) <= 4, "2 to 4 public tests per exercise"
    assert any(t.hidden for t in exercise.tests)
    for test in exercise.tests:
        assert test.points > 0
        assert test.title.strip() and test.hint.strip(), f"{test.id}: title and hint in French"
