"""The report a student reads in a terminal.

Written for someone tired and stuck: French, plain words, one table per
exercise, then what to fix (the test's message and its hint), then the
pitfalls seen while the code ran. Nothing the student printed, and no Python
traceback, can appear here: the report holds only the grader's own messages.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from grader.formats.words import DIAGNOSTIC_LABELS, STATUS_LABELS, points
from grader.results import Diagnostic, ExerciseResult, Report, Status, TestResult

# Plain text (a pipe, a CI log, a golden file) gets a fixed width so the same
# report always reads the same; a real terminal gets its own width.
PLAIN_WIDTH = 100
MAX_WIDTH = 120

STATUS_STYLES: Mapping[Status, str] = MappingProxyType(
    {
        Status.PASSED: "green",
        Status.FAILED: "red",
        Status.ERROR: "red",
        Status.TIMEOUT: "yellow",
    }
)

HIDDEN = "caché"

# French sets a space inside « » and before : ; ? !, and a line must never
# break there. Rich breaks at any whitespace, the no-break ones included, so
# those spaces are held by a printable stand-in while rich lays the text out,
# then given back.
_GLUE = "\ue000"
_GLUED_BEFORE = re.compile(r"(«) ")
_GLUED_AFTER = re.compile(r" ([»:;?!])")


def _glue(text: str) -> str:
    return _GLUED_AFTER.sub(_GLUE + r"\1", _GLUED_BEFORE.sub(r"\1" + _GLUE, text))


def _text(text: str = "", style: str = "") -> Text:
    return Text(_glue(text), style=style)


def _assemble(*parts: str | Text | tuple[str, str]) -> Text:
    glued: list[str | Text | tuple[str, str]] = []
    for part in parts:
        if isinstance(part, str):
            glued.append(_glue(part))
        elif isinstance(part, tuple):
            glued.append((_glue(part[0]), part[1]))
        else:
            glued.append(part)
    return Text.assemble(*glued)


def render(report: Report, *, color: bool = False, width: int | None = None) -> str:
    if width is None:
        width = min(shutil.get_terminal_size().columns, MAX_WIDTH) if color else PLAIN_WIDTH
    # Every argument that rich would otherwise read from the environment is
    # given, so the output depends on the report and `color` alone.
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        markup=False,
        highlight=False,
        emoji=False,
        legacy_windows=False,
        force_jupyter=False,
        force_interactive=False,
    )
    for renderable in _report(report):
        console.print(renderable)
    output = buffer.getvalue().replace(_GLUE, " ")
    if color:
        return output
    return "".join(line.rstrip() + "\n" for line in output.splitlines())


def _report(report: Report) -> Iterator[RenderableType]:
    if report.target:
        yield _assemble(("Dossier corrigé : ", "bold"), report.target)
        yield _text()
    if report.public_only:
        yield _public_only_notice()
        yield _text()
    for exercise in report.exercises:
        yield from _exercise(exercise)
    if report.exercises:
        yield _summary(report)
        yield _text()
    yield _assemble(
        ("Note : ", "bold"), (f"{points(report.score)}/{points(report.max_score)}", "bold")
    )
    if report.public_only:
        yield _text(
            "Cette note ne compte que les tests publics ; "
            "la note finale comptera aussi les tests cachés.",
            style="yellow",
        )
    elif report.max_score > 0 and report.score == report.max_score:
        yield _text("Tous les tests sont réussis. Bravo !", style="green")


def _public_only_notice() -> RenderableType:
    return _text(
        "Attention : seuls les tests publics ont été passés. La note affichée ne compte "
        "qu'eux ; la note finale comptera aussi des tests cachés, qui vérifient les mêmes "
        "consignes sur d'autres cas.",
        style="yellow",
    )


def _exercise(exercise: ExerciseResult) -> Iterator[RenderableType]:
    score = f"{points(exercise.score)}/{points(exercise.max_score)}"
    yield Rule(
        _assemble(
            (exercise.id, "bold cyan"), " — ", (exercise.title, "bold"), " : ", (score, "bold")
        ),
        align="left",
        style="cyan",
    )
    if exercise.problem:
        yield _indented(
            _assemble(("Impossible de corriger cet exercice : ", "bold red"), exercise.problem),
            2,
        )
    if exercise.tests:
        yield _indented(_tests_table(exercise.tests), 2)
    yield _text()
    failures = [t for t in exercise.tests if t.status is not Status.PASSED]
    # When the exercise could not be graded at all, each test would only
    # repeat that one reason.
    if failures and not exercise.problem:
        yield _indented(_text("À revoir :", style="bold"), 2)
        for test in failures:
            yield _indented(_failure(test), 4)
            yield _text()
    if exercise.diagnostics:
        yield _indented(
            _text("Points d'attention (ils ne retirent pas de points) :", style="bold"), 2
        )
        for diagnostic in exercise.diagnostics:
            yield _indented(_diagnostic(diagnostic), 4)
            yield _text()
    if exercise.explanation is not None:
        yield _indented(
            _text("Votre explication (lue par l'enseignant, hors note) :", style="bold"), 2
        )
        explanation = exercise.explanation.strip() or "(vide)"
        yield _indented(_text(explanation, style="italic"), 4)
        yield _text()


def _indented(renderable: RenderableType, columns: int) -> Padding:
    return Padding(renderable, (0, 0, 0, columns))


def _tests_table(tests: tuple[TestResult, ...]) -> Table:
    # Narrow gutters and no status column (the mark says it, « À revoir »
    # spells it out): the titles are long and should rarely wrap.
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    table.add_column("", no_wrap=True)
    table.add_column("Test")
    # A column of its own, so that the mark never wraps apart from itself.
    table.add_column("", no_wrap=True)
    table.add_column("Points", justify="right", no_wrap=True)
    for test in tests:
        style = STATUS_STYLES[test.status]
        table.add_row(
            _text(_mark(test), style=style),
            _text(test.title),
            _text(f"« {HIDDEN} »" if test.hidden else "", style="dim"),
            f"{points(test.score)}/{points(test.max_score)}",
        )
    return table


def _mark(test: TestResult) -> str:
    return "✓" if test.status is Status.PASSED else "✗"


def _test_title(test: TestResult) -> Text:
    title = _text(test.title)
    if test.hidden:
        title.append(_glue(f" « {HIDDEN} »"), style="dim")
    return title


def _failure(test: TestResult) -> RenderableType:
    style = STATUS_STYLES[test.status]
    heading = _assemble((f"{_mark(test)} ", style), _test_title(test))
    heading.append(f" ({STATUS_LABELS[test.status]})", style=style)
    parts: list[RenderableType] = [heading]
    message = test.message.strip() or "Pas de détail sur ce qui n'a pas marché."
    parts.append(_indented(_text(message), 2))
    if test.hint.strip():
        parts.append(_indented(_assemble(("Piste : ", "bold yellow"), test.hint.strip()), 2))
    return Group(*parts)


def _diagnostic(diagnostic: Diagnostic) -> RenderableType:
    heading = _assemble(("⚠ ", "yellow"), (_diagnostic_label(diagnostic.kind), "bold"))
    where = _where(diagnostic)
    if where:
        heading.append(f" — {where}")
    return Group(heading, _indented(_text(diagnostic.message.strip()), 2))


def _diagnostic_label(kind: str) -> str:
    return DIAGNOSTIC_LABELS.get(kind, kind)


def _where(diagnostic: Diagnostic) -> str:
    if diagnostic.file and diagnostic.line is not None:
        return f"{diagnostic.file}:{diagnostic.line}"
    return diagnostic.file or ""


def _summary(report: Report) -> Table:
    table = Table(title="Récapitulatif", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column("Exercice")
    table.add_column("Points", justify="right", no_wrap=True)
    for exercise in report.exercises:
        done = exercise.max_score > 0 and exercise.score == exercise.max_score
        table.add_row(
            _assemble(exercise.id, " — ", exercise.title),
            _text(
                f"{points(exercise.score)}/{points(exercise.max_score)}",
                style="green" if done else "",
            ),
        )
    return table
