"""Code written to cheat gains nothing: one submission per family of attack on the grade.

Each case is a submission of the kit's own small exercise (`tests/engine/`)
whose `travail` attacks the grader while `ensemble` and `double` do honest
work: the attack must earn no point, the honest work keeps its 10 points,
and the grade ends with a valid report that says what happened.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.metadata import load_catalogue
from grader.results import Report, Status
from grader.runner import grade

ENGINE = Path(__file__).parent / "engine"
CATALOGUE = load_catalogue(ENGINE / "catalogue.toml")

pytestmark = pytest.mark.timeout(120)

# case -> (status or statuses of `travail`, words its message must hold; a
# tuple: one of them)
ATTACKS: dict[str, tuple[Status | set[Status], list[str | tuple[str, ...]]]] = {
    # Results lines are sealed by the judge: forged ones are dropped unread.
    # (Run as root, the lines it writes through /proc also reach the judge's
    # answers pipe: the test then ends as an error instead, with no point either.)
    "forge_results": ({Status.FAILED, Status.ERROR}, []),
    # Junk on the answers pipe ends the test, never the grade.
    "garbage_frames": (Status.ERROR, ["message illisible"]),
    # pytest and json patched in the executor: the judge runs neither there.
    "patch_tools": (Status.FAILED, ["travail(2) a renvoyé 0"]),
    # An int whose __eq__ says yes to everything arrives as an opaque value.
    "lying_eq": (Status.FAILED, ["une valeur de type", "Partout"]),
    "keyboard_interrupt": (Status.ERROR, ["KeyboardInterrupt", "Ctrl-C"]),
    # In the sandbox pytest cannot even be imported: it raises Flaky, an
    # ordinary error. Outside, pytest's own outcome is worded as such.
    "test_outcome": (Status.ERROR, [("outils de test", "a levé Flaky")]),
    "bad_str": (Status.ERROR, ["Illisible", "illisible"]),
    "huge_print": (Status.FAILED, ["travail(2) a renvoyé 0"]),
    # The deadline is kept by the judge, out of the student's reach.
    "no_deadline": (Status.TIMEOUT, ["temps réel"]),
    "clock_back": (Status.ERROR, ["horloge"]),
}


def grade_attack(name: str) -> Report:
    return grade(ENGINE / "attacks" / name, catalogue=CATALOGUE, suites=ENGINE / "suites")


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_attack_earns_nothing_and_the_rest_is_scored(name: str) -> None:
    status, words = ATTACKS[name]
    report = grade_attack(name)
    [exercise] = report.exercises
    tests = {t.id: t for t in exercise.tests}
    allowed = status if isinstance(status, set) else {status}
    assert tests["travail"].status in allowed, tests["travail"].message
    for word in words:
        alternatives = word if isinstance(word, tuple) else (word,)
        message = tests["travail"].message
        assert any(w in message for w in alternatives), message
    assert tests["ensemble"].status is Status.PASSED, tests["ensemble"].message
    assert tests["double"].status is Status.PASSED, tests["double"].message
    assert report.score == 10
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    # Nothing the student printed, no escape sequence, and a report of a normal size.
    assert "\x1b" not in text and "xxxxxxxxxx" not in text
    assert len(text) < 10_000


def test_no_attack_left_a_process_behind(reaper: Callable[[], list[int]]) -> None:
    grade_attack("no_deadline")
    assert reaper() == []
