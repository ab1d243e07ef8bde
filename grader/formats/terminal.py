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

from grader.formats import timeline
from grader.formats.words import DIAGNOSTIC_LABELS, STATUS_LABELS, points
from grader.results import Cause, Diagnostic, ExerciseResult, Report, Status, TestResult

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
    start = _where_to_start(report)
    if start is not None:
        yield start
        yield _text()
    if report.public_only:
        # The template's score is out of its public points only: said in
        # words, so that 18/18 is not read as a full grade out of 20.
        yield _assemble(
            ("Tests publics : ", "bold"),
            (f"{points(report.score)} points sur {points(report.max_score)}", "bold"),
            " ; la note finale, sur 20 par exercice, compte aussi les tests cachés.",
        )
        return
    # The score line is the report's last, full marks or not: `nox -s watch`
    # and a scrolled terminal show it at the bottom.
    full = report.max_score > 0 and report.score == report.max_score
    yield _assemble(
        ("Note : ", "bold"),
        (f"{points(report.score)}/{points(report.max_score)}", "bold"),
        (" — tous les tests sont réussis. Bravo !" if full else "", "green"),
    )


def _public_only_notice() -> RenderableType:
    return _text(
        "Attention : seuls les tests publics ont été passés. La note affichée ne compte "
        "qu'eux ; la note finale comptera aussi des tests cachés, qui vérifient les mêmes "
        "consignes sur d'autres cas.",
        style="yellow",
    )


def _finished(exercise: ExerciseResult) -> bool:
    return exercise.max_score > 0 and exercise.score == exercise.max_score


def _where_to_start(report: Report) -> RenderableType | None:
    """The first exercise not finished, how to run it, how to grade it alone."""
    if len(report.exercises) < 2:
        return None
    exercise = next((e for e in report.exercises if not _finished(e)), None)
    if exercise is None:
        return None
    module = f"{report.target}/{exercise.id}.py" if report.target else f"{exercise.id}.py"
    verb = "commencer" if exercise.not_started else "continuer"
    # `nox -s grade` grades exercises/ unless told another folder.
    folder = "" if report.target.rstrip("/").endswith("exercises") else f" --target {report.target}"
    # Each command on a line of its own, never wrapped, so that it can be copied.
    return Group(
        _assemble((f"Par où {verb} : ", "bold"), (exercise.id, "bold cyan")),
        _command("lancer le programme :  ", f"python {module}"),
        _command("corriger cet exercice :", f"nox -s grade -- --only {exercise.id}{folder}"),
    )


def _command(label: str, command: str) -> Padding:
    line = _assemble(label, " ", (command, "bold"))
    line.no_wrap = True
    line.overflow = "ignore"
    return _indented(line, 2)


def _exercise(exercise: ExerciseResult) -> Iterator[RenderableType]:
    score = f"{points(exercise.score)}/{points(exercise.max_score)}"
    if exercise.not_started:
        # Nine times « still to write » says nothing a single line does not.
        yield Rule(
            _assemble(
                (exercise.id, "bold cyan"),
                " — ",
                (exercise.title, "bold"),
                " : pas encore commencé : ",
                (score, "bold"),
            ),
            align="left",
            style="cyan",
        )
        yield _text()
        return
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
        for group in _by_cause(failures):
            yield _indented(
                _failure(group[0]) if len(group) == 1 else _shared_failure(group, exercise.tests), 4
            )
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


def _by_cause(failures: list[TestResult]) -> list[list[TestResult]]:
    """Failures from one fault (or with one message), together, in the order they first appear."""
    groups: dict[str, list[TestResult]] = {}
    for test in failures:
        groups.setdefault(test.fault or "message " + test.message.strip(), []).append(test)
    return list(groups.values())


def _message(test: TestResult) -> Text:
    return _text(test.message.strip() or "Pas de détail sur ce qui n'a pas marché.")


def _hint(test: TestResult) -> RenderableType | None:
    # Under a module that does not import or a function still to write, the
    # course hint answers a question the student cannot ask yet.
    if test.cause is not Cause.OTHER or not test.hint.strip():
        return None
    return _indented(_assemble(("Piste : ", "bold yellow"), test.hint.strip()), 2)


def _failure(test: TestResult) -> RenderableType:
    style = STATUS_STYLES[test.status]
    heading = _assemble((f"{_mark(test)} ", style), _test_title(test))
    heading.append(f" ({STATUS_LABELS[test.status]})", style=style)
    parts: list[RenderableType] = [heading, _indented(_message(test), 2)]
    parts.extend(_timeline(test))
    hint = _hint(test)
    if hint is not None:
        parts.append(hint)
    return Group(*parts)


def _timeline(test: TestResult) -> list[RenderableType]:
    if test.timeline is None:
        return []
    drawing = Text()
    for i, row in enumerate(timeline.rows(test.timeline)):
        if i:
            drawing.append("\n")
        for chunk, style in row:
            drawing.append(chunk, style=style)
    drawing.no_wrap = True
    drawing.overflow = "ignore"
    return [_indented(_text(timeline.title(test.timeline), style="bold"), 2), _indented(drawing, 2)]


def _shared_failure(group: list[TestResult], tests: tuple[TestResult, ...]) -> RenderableType:
    """One cause said once, with the tests it cost; the first test's hint, if any."""
    first = group[0]
    style = STATUS_STYLES[first.status]
    lost = points(sum(t.max_score for t in group))
    heading = _assemble(
        ("✗ ", style), (f"{len(group)} tests pour une même cause ({lost} points)", "bold"), " :"
    )
    parts: list[RenderableType] = [heading, _indented(_message(first), 2)]
    parts.extend(_timeline(first))
    if len(group) == len(tests):
        parts.append(_indented(_text("Tests concernés : tous ceux de cet exercice."), 2))
    else:
        parts.append(_indented(_text("Tests concernés :"), 2))
        for test in group:
            parts.append(_indented(_assemble("• ", _test_title(test)), 4))
    hint = _hint(first)
    if hint is not None:
        parts.append(hint)
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
