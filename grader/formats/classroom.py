"""GitHub Classroom: what `classroom-resources/autograding-grading-reporter@v1` reads.

The workflow's grading step runs ``python -m grader --format classroom``. The
reporter step that follows is given ``runners: grader`` and reads the
environment variable ``GRADER_RESULTS``, which the workflow fills from this
step's output ``result``: base64 of a compact JSON object

    {"version": 1, "status": "pass" | "fail" | "error", "max_score": <int>,
     "tests": [{"name", "status", "score", "message", "line_no", ...}]}

How the reporter reads it decides the shape:

- the grade Classroom records is ``Points <sum of every test's score>/<max_score>``,
  failed tests included: a test that did not pass must carry score 0;
- with ``max_score`` missing or 0 it records no grade at all;
- it prints ``- line <line_no>`` after a test's name unless ``line_no`` is 0
  (``line undefined`` when the key is missing): every test gets 0;
- it prints ``test_code`` when present and not empty: hidden tests must not
  show there, so it is always empty;
- it prints a test whose status is ``error`` as ``Error: <message>``, without
  its name: every test that did not pass is ``fail``;
- its log totals a runner as passed entries / entries x ``max_score``, where
  Classroom records the sum of the scores: each test is one entry per unit of
  points (``ex1 — titre [2/3]`` for the second of a 3-point test's), so that
  every total a student reads is the grade recorded.

``render`` is the short summary printed in the job's log; ``publish`` writes
``result=<base64>`` to the file ``$GITHUB_OUTPUT`` names and a Markdown
summary to ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

import base64
import json
import math
import re
import sys
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

from grader.formats.words import (
    MAX_MESSAGE_CHARS,
    STATUS_LABELS,
    carries_diagnostics,
    cut,
    diagnostic_text,
    fit,
    hidden_mark,
    message_for,
    number,
    points,
    problem_text,
    test_name,
    timeline_text,
)
from grader.results import Report, Status

# The workflow's `runners:` id; the reporter reads `<ID>_RESULTS`.
RUNNER_ID = "grader"
OUTPUT_NAME = "result"


# The reporter prints a test "error" as a bare "Error: <message>" line, without
# its name: a test that raised or ran out of time is a named "fail" there, and
# its message (the report's, and the step summary) says which it was.
_REPORTER_STATUS: Mapping[Status, str] = MappingProxyType(
    {
        Status.PASSED: "pass",
        Status.FAILED: "fail",
        Status.ERROR: "fail",
        Status.TIMEOUT: "fail",
    }
)


# At most this many entries when tests are split into points (see `point_unit`).
MAX_ENTRIES = 1000


def point_unit(report: Report) -> Fraction | None:
    """The largest amount every test's points are a whole number of (1 for whole points).

    The reporter's log totals a runner as passed entries / entries x max_score:
    with one entry per `unit` of points, that total is the points earned, the
    grade Classroom records. None when that would take more than MAX_ENTRIES.
    """
    amounts = [
        Fraction(t.max_score).limit_denominator(100) for e in report.exercises for t in e.tests
    ]
    if not amounts or any(a <= 0 for a in amounts):
        return None
    unit = amounts[0]
    for amount in amounts[1:]:
        # gcd of fractions: gcd of numerators over lcm of denominators.
        unit = Fraction(
            math.gcd(unit.numerator, amount.numerator),
            unit.denominator * amount.denominator // math.gcd(unit.denominator, amount.denominator),
        )
    if sum(amounts) / unit > MAX_ENTRIES:
        return None
    return unit


def payload(report: Report) -> dict[str, Any]:
    """The reporter's JSON object for this report: one entry per unit of points."""
    unit = point_unit(report)
    tests: list[dict[str, Any]] = []
    for exercise in report.exercises:
        for index, test in enumerate(exercise.tests):
            shares = int(Fraction(test.max_score).limit_denominator(100) / unit) if unit else 1
            share = test.max_score / shares
            for part in range(1, shares + 1):
                name = test_name(exercise, test)
                tests.append(
                    {
                        "name": f"{name} [{part}/{shares}]" if shares > 1 else name,
                        "status": _REPORTER_STATUS[test.status],
                        "score": number(share if test.status is Status.PASSED else 0.0),
                        "max_score": number(share),
                        # The message once, on the test's first entry.
                        "message": message_for(
                            exercise, test, with_diagnostics=carries_diagnostics(exercise, index)
                        )
                        if part == 1
                        else "",
                        "line_no": 0,
                        "filename": f"{exercise.id}.py",
                        "test_code": "",
                        "duration": round(test.duration, 3) if part == 1 else 0,
                        "execution_time": f"{test.duration if part == 1 else 0:.2f}s",
                    }
                )
    if not tests:
        status = "error"
    elif all(t["status"] == "pass" for t in tests):
        status = "pass"
    else:
        status = "fail"
    return {
        "version": 1,
        "status": status,
        "max_score": number(report.max_score),
        "tests": tests,
    }


def encode(report: Report) -> str:
    """Base64 of the compact JSON: one line, safe in `$GITHUB_OUTPUT`."""
    text = json.dumps(payload(report), ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def decode(value: str) -> dict[str, Any]:
    """The reporter's own reading of a `result`, for checks and debugging."""
    data: dict[str, Any] = json.loads(base64.b64decode(value).decode("utf-8"))
    return data


def render(report: Report, *, color: bool = False) -> str:
    # The job's log shows ANSI colours, but plain text reads the same there
    # and in a file; `color` is part of every format's signature.
    del color
    return "".join(line + "\n" for line in _summary_lines(report))


def _summary_lines(report: Report) -> Iterator[str]:
    scope = "tests publics seulement" if report.public_only else "tests publics et tests cachés"
    yield f"Correction automatique : {points(report.score)}/{points(report.max_score)} ({scope})"
    if report.public_only:
        # A workflow command: GitHub shows it as a warning on the run's page.
        yield (
            "::warning title=Tests cachés absents::Les tests cachés n'ont pas été trouvés : "
            "cette note ne compte que les tests publics."
        )
    for exercise in report.exercises:
        yield ""
        yield (
            f"{exercise.id} — {exercise.title} : "
            f"{points(exercise.score)}/{points(exercise.max_score)}"
        )
        if exercise.problem:
            yield f"  {problem_text(exercise)}"
        for test in exercise.tests:
            mark = "✓" if test.status is Status.PASSED else "✗"
            earned = test.score
            hidden = hidden_mark(test)
            state = "" if test.status is Status.PASSED else f" — {STATUS_LABELS[test.status]}"
            yield (
                f"  {mark} {test.title}{hidden} : {points(earned)}/{points(test.max_score)}{state}"
            )
            if test.status is not Status.PASSED and not exercise.problem:
                for line in fit(test.message, MAX_MESSAGE_CHARS).splitlines():
                    yield f"      {line}"
                if test.hint.strip():
                    yield f"      Piste : {test.hint.strip()}"
        for diagnostic in exercise.diagnostics:
            yield f"  ⚠ {diagnostic_text(diagnostic)}"
        if exercise.explanation is not None:
            explanation = cut(exercise.explanation, MAX_MESSAGE_CHARS) or "(vide)"
            yield f"  Votre explication (lue par l'enseignant, hors note) : {explanation}"
    yield ""
    yield "Le détail est aussi dans le résumé de cette exécution (onglet Summary)."


def summary_markdown(report: Report) -> str:
    """The run's summary page: the grade, a table per exercise, what to fix."""
    lines: list[str] = [
        f"## Correction automatique : {points(report.score)}/{points(report.max_score)}",
        "",
    ]
    if report.public_only:
        lines += [
            "> [!WARNING]",
            "> Les tests cachés n'ont pas été trouvés : "
            "cette note ne compte que les tests publics.",
            "",
        ]
    lines += ["| Exercice | Points |", "| --- | ---: |"]
    for exercise in report.exercises:
        lines.append(
            f"| {_inline(exercise.id)} — {_inline(exercise.title)} "
            f"| {points(exercise.score)}/{points(exercise.max_score)} |"
        )
    for exercise in report.exercises:
        lines += [
            "",
            f"### {_inline(exercise.id)} — {_inline(exercise.title)} : "
            f"{points(exercise.score)}/{points(exercise.max_score)}",
            "",
        ]
        if exercise.problem:
            lines += [f"Impossible de corriger cet exercice : {_inline(exercise.problem)}", ""]
        for test in exercise.tests:
            earned = test.score
            mark = "✅" if test.status is Status.PASSED else "❌"
            hidden = hidden_mark(test, " *({})*")
            state = "" if test.status is Status.PASSED else f" — {STATUS_LABELS[test.status]}"
            lines.append(
                f"- {mark} {_inline(test.title)}{hidden} : "
                f"{points(earned)}/{points(test.max_score)}{state}"
            )
            if test.status is not Status.PASSED and not exercise.problem and test.message.strip():
                shown = fit(test.message, MAX_MESSAGE_CHARS)
                if test.timeline is not None:
                    # In the fence, a monospaced font: the bars line up.
                    shown += "\n\n" + timeline_text(test)
                lines += _fenced(shown, indent="  ")
            if test.status is not Status.PASSED and test.hint.strip():
                lines.append(f"  - Piste : {_inline(test.hint.strip())}")
        if exercise.diagnostics:
            lines += ["", "Points d'attention (ils ne retirent pas de points) :", ""]
            lines += [f"- ⚠️ {_inline(diagnostic_text(d))}" for d in exercise.diagnostics]
    return "\n".join(lines) + "\n"


def publish(report: Report, environ: Mapping[str, str]) -> None:
    """Fill the step's output and the run's summary, when run by GitHub Actions."""
    output = environ.get("GITHUB_OUTPUT")
    if output:
        _append(Path(output), f"{OUTPUT_NAME}={encode(report)}\n")
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        _append(Path(summary), summary_markdown(report))


def _append(path: Path, text: str) -> None:
    # Both files are shared by every step of the job: append, never replace.
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        print(
            f"python -m grader : impossible d'écrire dans « {path} » : {exc.strerror or exc}",
            file=sys.stderr,
        )


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#!~])")


def _inline(text: str) -> str:
    """Text shown as itself in Markdown: no markup, no HTML, one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _fenced(text: str, *, indent: str) -> list[str]:
    # A fence longer than any run of backticks in the text: nothing the
    # student's code printed can close it early.
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [
        f"{indent}{fence}text",
        *(f"{indent}{line}" for line in text.splitlines()),
        indent + fence,
    ]
