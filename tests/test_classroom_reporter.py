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
