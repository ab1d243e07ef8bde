"""JUnit XML, which any CI can show: one test suite per exercise, one test case per test.

A test that failed carries a ``<failure>``, one that raised or ran out of time
an ``<error>``, each with the test's French message and hint. JUnit has no
points: each suite's score is in its ``<properties>``. The exercise's pitfalls
(diagnostics) and the student's explanation go in the suite's ``<system-out>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from grader.formats.words import (
    MAX_MESSAGE_CHARS,
    STATUS_LABELS,
    cut,
    diagnostic_text,
    fit,
    hidden_mark,
    points,
)
from grader.results import ExerciseResult, Report, Status, TestResult

SUITES_NAME = "asyncio-exercices"

# XML 1.0 cannot hold most control characters, even escaped; a student's output
# quoted in a message may contain some (an ANSI colour code, a stray NUL).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _count(tests: Iterable[TestResult], *statuses: Status) -> int:
    return sum(1 for t in tests if t.status in statuses)


def _testcase(parent: ET.Element, exercise: ExerciseResult, test: TestResult, target: str) -> None:
    hidden = hidden_mark(test)
    case = ET.SubElement(
        parent,
        "testcase",
        {
            "classname": exercise.id,
            "name": clean(f"{test.title}{hidden} [{test.id}]"),
            # The student's module the test judged, where a CI's test view links to it.
            "file": clean(f"{target}/{exercise.id}.py" if target else f"{exercise.id}.py"),
            "time": _seconds(test.duration),
        },
    )
    if test.status is Status.PASSED:
        return
    message = fit(test.message, MAX_MESSAGE_CHARS) or STATUS_LABELS[test.status]
    body = message
    if test.hint.strip():
        body += f"\nPiste : {test.hint.strip()}"
    body += f"\nPoints : 0/{points(test.max_score)}"
    tag = "failure" if test.status is Status.FAILED else "error"
    element = ET.SubElement(
        case,
        tag,
        {"message": clean(message.splitlines()[0] if message else ""), "type": test.status.value},
    )
    element.text = clean(body)


def _testsuite(parent: ET.Element, exercise: ExerciseResult, target: str) -> None:
    tests = exercise.tests
    suite = ET.SubElement(
        parent,
        "testsuite",
        {
            "name": exercise.id,
            "tests": str(len(tests)),
            "failures": str(_count(tests, Status.FAILED)),
            "errors": str(_count(tests, Status.ERROR, Status.TIMEOUT)),
            "skipped": "0",
            "time": _seconds(sum(t.duration for t in tests)),
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("title", exercise.title),
        ("score", points(exercise.score)),
        ("max_score", points(exercise.max_score)),
        ("problem", exercise.problem or ""),
    ):
        if value:
            ET.SubElement(properties, "property", {"name": name, "value": clean(value)})
    for test in tests:
        _testcase(suite, exercise, test, target)
    out: list[str] = []
    if exercise.problem:
        out.append(f"Impossible de corriger cet exercice : {exercise.problem}")
    out.extend(f"Attention — {diagnostic_text(d)}" for d in exercise.diagnostics)
    if exercise.explanation is not None:
        explanation = cut(exercise.explanation, MAX_MESSAGE_CHARS) or "(vide)"
        out.append(f"Explication de l'élève (hors note) : {explanation}")
    if out:
        ET.SubElement(suite, "system-out").text = clean("\n".join(out))


def render(report: Report, *, color: bool = False) -> str:
    del color  # XML has no colours
    every = [t for e in report.exercises for t in e.tests]
    root = ET.Element(
        "testsuites",
        {
            "name": SUITES_NAME,
            "tests": str(len(every)),
            "failures": str(_count(every, Status.FAILED)),
            "errors": str(_count(every, Status.ERROR, Status.TIMEOUT)),
            "time": _seconds(sum(t.duration for t in every)),
        },
    )
    for exercise in report.exercises:
        _testsuite(root, exercise, report.target)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
