"""Gradescope: the autograder's ``results.json``.

Gradescope's harness runs ``run_autograder``, which calls for instance

    python -m grader --target /autograder/submission --format gradescope \\
        --output /autograder/results/results.json

Visibility follows the hidden tests: a hidden test is ``after_published`` (the
student sees it once the grades are published), a public one ``visible`` at
once. As long as a hidden test is part of the grade, the whole submission is
``after_published`` too, so the total cannot be read before publication and
tell what the hidden tests gave. The harness's own log (``stdout``) is for the
instructor only.
"""

from __future__ import annotations

import json
from typing import Any

from grader.formats.words import (
    MAX_MESSAGE_CHARS,
    carries_diagnostics,
    cut,
    diagnostic_text,
    message_for,
    number,
    points,
    problem_text,
    test_name,
)
from grader.results import Report, Status

VISIBLE = "visible"
AFTER_PUBLISHED = "after_published"
HIDDEN = "hidden"


def results(report: Report) -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    for number_ex, exercise in enumerate(report.exercises, start=1):
        for index, test in enumerate(exercise.tests):
            earned = test.score
            tests.append(
                {
                    "name": test_name(exercise, test),
                    "number": f"{number_ex}.{index + 1}",
                    "score": number(earned),
                    "max_score": number(test.max_score),
                    "status": "passed" if test.status is Status.PASSED else "failed",
                    "output": message_for(
                        exercise,
                        test,
                        with_diagnostics=carries_diagnostics(exercise, index),
                        with_timeline=True,
                    ),
                    "output_format": "text",
                    "visibility": AFTER_PUBLISHED if test.hidden else VISIBLE,
                    "extra_data": {
                        "exercise": exercise.id,
                        "test": test.id,
                        "status": test.status.value,
                    },
                }
            )
    any_hidden = any(t.hidden for e in report.exercises for t in e.tests)
    return {
        "score": number(report.score),
        "execution_time": round(sum(t.duration for e in report.exercises for t in e.tests), 2),
        "output": _overall_output(report),
        "output_format": "text",
        "visibility": AFTER_PUBLISHED if any_hidden else VISIBLE,
        "stdout_visibility": HIDDEN,
        "tests": tests,
    }


def render(report: Report, *, color: bool = False) -> str:
    del color  # JSON has no colours
    return json.dumps(results(report), ensure_ascii=False, indent=2) + "\n"


def _overall_output(report: Report) -> str:
    lines = [f"Note : {points(report.score)}/{points(report.max_score)}"]
    if report.public_only:
        lines.append(
            "Cette note ne compte que les tests publics : les tests cachés n'ont pas été trouvés."
        )
    for exercise in report.exercises:
        lines.append(
            f"{exercise.id} — {exercise.title} : "
            f"{points(exercise.score)}/{points(exercise.max_score)}"
        )
        if exercise.problem:
            lines.append(f"  {problem_text(exercise)}")
        lines.extend(f"  Attention — {diagnostic_text(d)}" for d in exercise.diagnostics)
        if exercise.explanation is not None:
            explanation = cut(exercise.explanation, MAX_MESSAGE_CHARS) or "(vide)"
            lines.append(f"  Votre explication (hors note) : {explanation}")
    return "\n".join(lines)
