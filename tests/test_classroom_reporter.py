"""The grade GitHub Classroom records, read by the reporter's own code from our payload.

`tests/classroom_reporter/main.js` is `dist/main.js` of
classroom-resources/autograding-grading-reporter at its tag v1 (d13b591),
the action the students' workflow runs, kept as it is with its licence. It
reads the payload from `GRADER_RESULTS` and says the grade in a notice,
`Autograding report` `{"totalPoints", "maxPoints"}`: that notice is what
Classroom records, so it must be the report's own score.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from grader.formats import classroom
from grader.results import ExerciseResult, Report, Status, TestResult

REPORTER = Path(__file__).with_name("classroom_reporter") / "main.js"
NOTICE = re.compile(r"^::notice title=Autograding report::(.*)$", re.MULTILINE)


def reporter(payload: str) -> tuple[dict[str, float], str]:
    """The reporter run on one runner's encoded payload: its recorded grade, its log."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node est introuvable : .ci/run installe nodejs")
        pytest.skip("node est introuvable : apt-get install nodejs")
    env = {"PATH": os.environ.get("PATH", ""), "INPUT_RUNNERS": "grader", "GRADER_RESULTS": payload}
    done = subprocess.run(
        [node, str(REPORTER)], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    found = NOTICE.search(done.stdout)
    assert found is not None, done.stdout + done.stderr
    grade = json.loads(found.group(1))
    assert isinstance(grade, dict)
    return grade, done.stdout


def test_classroom_records_the_reports_score(report: Report) -> None:
    grade, log = reporter(classroom.encode(report))
    assert grade == {"totalPoints": report.score, "maxPoints": report.max_score}
    assert "line undefined" not in log


def test_every_test_is_named_in_the_log_errors_and_timeouts_too(report: Report) -> None:
    _, log = reporter(classroom.encode(report))
    statuses = {t.status for e in report.exercises for t in e.tests}
    assert {Status.ERROR, Status.TIMEOUT} <= statuses
    for entry in classroom.payload(report)["tests"]:
        assert entry["name"] in log
    assert "Error:" not in log


def test_fractional_points_are_recorded_as_they_are() -> None:
    # The notice adds the tests' points, where the log's table counts passed tests.
    def result(test_id: str, points: float, passed: bool) -> TestResult:
        status = Status.PASSED if passed else Status.FAILED
        score = points if passed else 0.0
        return TestResult(test_id, test_id, False, status, score, points, "" if passed else "non")

    exercise = ExerciseResult(
        "ex1_sync_vs_async",
        "Synchrone contre asynchrone",
        (result("a", 2.5, True), result("b", 17.25, False), result("c", 0.25, True)),
    )
    grade, _ = reporter(classroom.encode(Report(exercises=(exercise,))))
    assert grade == {"totalPoints": 2.75, "maxPoints": 20}


def whole_points_report() -> Report:
    """Whole points, like the catalogue's: 3 + 1 passed of 1, 3, 4, 12."""

    def result(test_id: str, points: float, status: Status) -> TestResult:
        score = points if status is Status.PASSED else 0.0
        return TestResult(test_id, test_id, False, status, score, points, "" if score else "non")

    tests = (
        result("un", 1, Status.PASSED),
        result("trois", 3, Status.PASSED),
        result("quatre", 4, Status.ERROR),
        result("douze", 12, Status.TIMEOUT),
    )
    return Report(exercises=(ExerciseResult("ex1_sync_vs_async", "Synchrone", tests),))


def test_every_total_in_the_log_is_the_recorded_grade() -> None:
    # The reporter's log totals passed entries / entries x max_score: with one
    # entry per point, it says 4/20 like the notice, not 2 tests of 4 (10/20).
    report = whole_points_report()
    grade, log = reporter(classroom.encode(report))
    assert grade == {"totalPoints": 4, "maxPoints": 20}
    plain = re.sub(r"\x1b\[[0-9;]*m", "", log)
    assert "Total points for grader: 4.00/20" in plain
    assert re.search(r"│ Total:\s+│ 4\s+│ 20\s+│", plain), plain
    assert "Grand total tests passed: 4/20" in plain
