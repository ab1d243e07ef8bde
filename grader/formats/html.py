"""HTML: the student's report as one self-contained web page (``--format html``).

What the terminal report says, for a browser: the grade, each exercise's
tests with what went wrong and the course hint, its points of attention,
and under a failed timing test its timeline as an SVG picture
(`grader.formats.timeline.svg`). One file, nothing to fetch: it can be
mailed, attached to an LMS or opened offline. Every text comes escaped,
the student's quoted code and output included.
"""

from __future__ import annotations

import html

from grader.formats import timeline
from grader.formats.words import (
    STATUS_LABELS,
    diagnostic_text,
    hidden_mark,
    points,
)
from grader.results import ExerciseResult, Report, Status, TestResult

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 56rem; color: #222; }
h1, h2 { font-weight: 600; }
.test { border-left: 4px solid #bbb; margin: .8rem 0; padding: .2rem .8rem; }
.test.passed { border-color: #2e8540; }
.test.failed, .test.error, .test.timeout { border-color: #c0392b; }
.message { white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: .9rem; }
.hint { color: #555; }
.points { float: right; font-variant-numeric: tabular-nums; }
.attention { background: #fff6d5; padding: .4rem .8rem; }
svg.chronologie { display: block; margin: .5rem 0; max-width: 100%; height: auto; }
"""


def _test(test: TestResult) -> list[str]:
    esc = html.escape
    shown = f"{points(test.score)}/{points(test.max_score)}"
    parts = [
        f'<div class="test {test.status.value}">',
        f'<p><span class="points">{shown}</span><strong>{esc(test.title)}</strong>'
        f"{esc(hidden_mark(test))} — {esc(STATUS_LABELS[test.status])}</p>",
    ]
    if test.status is not Status.PASSED:
        if test.message.strip():
            parts.append(f'<p class="message">{esc(test.message.strip())}</p>')
        if test.timeline is not None:
            parts.append(f"<p>{esc(timeline.title(test.timeline))}</p>")
            parts.append(timeline.svg(test.timeline))
        if test.hint.strip():
            parts.append(f'<p class="hint">Piste : {esc(test.hint.strip())}</p>')
    parts.append("</div>")
    return parts


def _exercise(exercise: ExerciseResult) -> list[str]:
    esc = html.escape
    shown = f"{points(exercise.score)}/{points(exercise.max_score)}"
    parts = [
        f'<section id="{esc(exercise.id)}">',
        f'<h2><span class="points">{shown}</span>{esc(exercise.id)} — {esc(exercise.title)}</h2>',
    ]
    if exercise.problem:
        parts.append(f'<p class="message">Impossible de corriger : {esc(exercise.problem)}</p>')
    for diagnostic in exercise.diagnostics:
        parts.append(f'<p class="attention">Attention — {esc(diagnostic_text(diagnostic))}</p>')
    for test in exercise.tests:
        parts += _test(test)
    parts.append("</section>")
    return parts


def render(report: Report, *, color: bool = False) -> str:
    del color  # a page has its own colours
    total = f"{points(report.score)}/{points(report.max_score)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="fr">',
        '<head><meta charset="utf-8">',
        f"<title>Correction : {total}</title>",
        f"<style>{_STYLE}</style></head>",
        "<body>",
        f'<h1 id="note">Note : {total}</h1>',
    ]
    if report.public_only:
        parts.append(
            "<p>Tests publics seulement : la note finale compte aussi les tests cachés.</p>"
        )
    for exercise in report.exercises:
        parts += _exercise(exercise)
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
