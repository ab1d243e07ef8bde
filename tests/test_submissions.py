"""Every hidden test is seen to fail on a plausible wrong submission, and right ones get full marks.

Each case is a folder `tests/submissions/<exercise>/<case>/` holding the module,
described in `tests/submissions/<exercise>/cases.toml`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.formats import words
from grader.results import Report, Status

ROOT = Path(__file__).parent / "submissions"


def _cases() -> list[Any]:
    params = []
    for cases_file in sorted(ROOT.glob("*/cases.toml")):
        exercise = cases_file.parent.name
        with cases_file.open("rb") as handle:
            cases = tomllib.load(handle)
        for name, spec in cases.items():
            params.append(pytest.param(exercise, name, spec, id=f"{exercise}/{name}"))
    return params


CASES = _cases()


@pytest.mark.parametrize(("exercise", "name", "spec"), CASES)
def test_case(exercise: str, name: str, spec: dict[str, Any], grade: Callable[..., Report]) -> None:
    folder = ROOT / exercise / name
    assert (folder / f"{exercise}.py").is_file(), f"missing {folder}/{exercise}.py"
    result = grade(folder, only=[exercise]).exercises[0]
    by_id = {t.id: t for t in result.tests}
    if spec.get("full_marks"):
        failing = {t.id: t.message for t in result.tests if t.status is not Status.PASSED}
        assert not failing, f"{name} should get full marks: {failing}"
    if spec.get("no_diagnostics"):
        assert [d.message for d in result.diagnostics] == [], f"{name} is named for nothing"
    kinds = {d.kind for d in result.diagnostics}
    for kind in spec.get("diagnostics", []):
        assert kind in kinds, f"{name} should be named for {kind}, not only {sorted(kinds)}"
    for test_id in spec.get("fails", []):
        assert test_id in by_id, f"unknown test id {test_id!r} in cases.toml"
        assert by_id[test_id].status is not Status.PASSED, f"{name} should fail {test_id}"
        assert by_id[test_id].message, f"{test_id} fails without a message"
    for test_id in spec.get("passes", []):
        assert by_id[test_id].status is Status.PASSED, (
            f"{name} should pass {test_id}: {by_id[test_id].message}"
        )
    said = " ".join(t.message for t in result.tests if t.status is not Status.PASSED)
    for words_of_the_fault in spec.get("says", []):
        assert words_of_the_fault in said, f"{name}: no message says {words_of_the_fault!r}"
    for test in result.tests:
        # The LMS formats bound a message by shortening what it quotes; the
        # sentences that explain the fault must always fit whole.
        shortened = words.shorten_quotes(test.message, words.MAX_MESSAGE_CHARS)
        assert len(shortened) <= words.MAX_MESSAGE_CHARS, f"{test.id}: {test.message}"
    if spec.get("fails"):
        # A plausible mistake costs some points, not all: the rest still counts.
        assert result.score > 0, f"{name} gets no point at all: is the mistake too broad?"
