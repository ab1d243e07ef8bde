"""What every report format says alike: labels, points, cut messages, test names.

The formats import this module and `grader.results`, never one another, so
`--format junit` does not load rich and a wording changes in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from grader.formats import timeline
from grader.results import Diagnostic, ExerciseResult, Status, TestResult

STATUS_LABELS: Mapping[Status, str] = MappingProxyType(
    {
        Status.PASSED: "réussi",
        Status.FAILED: "échoué",
        Status.ERROR: "erreur",
        Status.TIMEOUT: "temps dépassé",
    }
)
# The grader's kinds are identifiers; the student reads these words instead.
# A kind missing here is shown as it is rather than hidden.
DIAGNOSTIC_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "blocking-call": "appel bloquant",
        "busy-wait": "attente active",
        "blocking-io": "entrée-sortie bloquante",
        "cpu-bound": "calcul qui monopolise l'event loop",
        "never-awaited": "coroutine jamais attendue",
        "lost-task": "tâche perdue",
        "swallowed-cancel": "annulation avalée",
        "deadlock": "blocage : toutes les tâches s'attendent",
        "endless-loop": "boucle sans fin",
    }
)
# How a hidden test is marked after its name.
HIDDEN_TEST = "test caché"

# A test's message may quote what the student's code printed or returned:
# enough to understand, never a flood in a CI log or an LMS page. `fit`
# shortens the quotes to get there; the sentences around them are the
# feedback, and every message the kit's cases produce fits whole.
MAX_MESSAGE_CHARS = 600
MAX_DIAGNOSTIC_CHARS = 300
MAX_PROBLEM_CHARS = 300


def points(value: float) -> str:
    """14.0 -> "14", 1.5 -> "1.5": points as a teacher writes them."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def number(value: float) -> int | float:
    """Points as JSON: 4 rather than 4.0, so a reporter prints « Points 14/20 »."""
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def cut(text: str, limit: int) -> str:
    """`text` stripped, cut to `limit` characters with an ellipsis when longer."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


# What a message quotes comes between brackets: a call's arguments, a
# returned list or dict (Python's repr), printed lines between « ».
_OPENERS = {"(": ")", "[": "]", "{": "}", "«": "»"}
_CLOSERS = {close: open_ for open_, close in _OPENERS.items()}
# A quote is never shortened below this many characters: still recognisable.
_KEPT = 30


def _groups(text: str) -> list[tuple[int, int]]:
    """(opening, closing) index of every bracketed group, nested ones too.

    A closer that matches nothing open is text; openers left unclosed by a
    closer further out are dropped, as a repr cut short leaves them.
    """
    stack: list[tuple[str, int]] = []
    found = []
    for i, char in enumerate(text):
        if char in _OPENERS:
            stack.append((char, i))
        elif char in _CLOSERS:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == _CLOSERS[char]:
                    found.append((stack[depth][1], i))
                    del stack[depth:]
                    break
    return found


def _quotes_a_value(text: str, start: int) -> bool:
    # `(` opens a value when a repr follows (a call's arguments, a tuple),
    # prose when a word does: "(voir « Les pièges classiques »)".
    if text[start] != "(":
        return True
    following = text[start + 1 : start + 2]
    return following in {"'", '"', "[", "{", "(", "-"} or following.isdigit()


def shorten_quotes(text: str, limit: int) -> str:
    """`text` stripped, its quoted values shortened until it fits `limit`, if they can.

    The longest quoted value (`_groups`) loses its tail to « … » until the
    text fits or every quote is down to `_KEPT` characters; values first,
    then parentheses of prose. The sentences around the quotes, the feedback
    itself, are never touched here.
    """
    text = text.strip()
    for values_only in (True, False):
        while len(text) > limit:
            spans = [
                (closing - opening - 1, opening, closing)
                for opening, closing in _groups(text)
                if closing - opening - 1 > _KEPT + 1
                and (not values_only or _quotes_a_value(text, opening))
            ]
            if not spans:
                break
            inner, opening, closing = max(spans, key=lambda g: (g[0], -g[1]))
            kept = max(_KEPT, inner - (len(text) - limit) - 1)
            text = text[: opening + 1 + kept].rstrip() + "…" + text[closing:]
    return text


def fit(text: str, limit: int) -> str:
    """`text` within `limit` characters: its quotes shortened, and cut at its end
    only if that was not enough (no message of the kit's cases comes to that)."""
    return cut(shorten_quotes(text, limit), limit)


def hidden_mark(test: TestResult, template: str = " ({})") -> str:
    """ " (test caché)" after a hidden test's name, in the format's own `template`; "" otherwise."""
    return template.format(HIDDEN_TEST) if test.hidden else ""


def test_name(exercise: ExerciseResult, test: TestResult) -> str:
    """A test named for a list of every exercise's tests: `ex2_… — title (test caché)`."""
    return f"{exercise.id} — {test.title}{hidden_mark(test)}"


def problem_text(exercise: ExerciseResult) -> str:
    """Why an exercise could not be graded, as the LMS formats say it."""
    return f"Impossible de corriger cet exercice : {fit(exercise.problem or '', MAX_PROBLEM_CHARS)}"


def diagnostic_text(diagnostic: Diagnostic) -> str:
    label = DIAGNOSTIC_LABELS.get(diagnostic.kind, diagnostic.kind)
    where = diagnostic.file or ""
    if diagnostic.file and diagnostic.line is not None:
        where = f"{diagnostic.file}:{diagnostic.line}"
    head = f"{label} ({where})" if where else label
    return f"{head} : {fit(diagnostic.message, MAX_DIAGNOSTIC_CHARS)}"


def message_for(
    exercise: ExerciseResult,
    test: TestResult,
    *,
    with_diagnostics: bool,
    with_timeline: bool = False,
) -> str:
    """What went wrong, the course hint, and the exercise's pitfalls when asked.

    `with_timeline`: a failed timing test's timeline follows its message, for
    formats shown in a monospaced font (Gradescope's text output).
    """
    parts: list[str] = []
    if test.status is not Status.PASSED:
        parts.append(fit(test.message, MAX_MESSAGE_CHARS) or STATUS_LABELS[test.status])
        if with_timeline and test.timeline is not None:
            parts.append(timeline_text(test))
        if test.hint.strip():
            parts.append(f"Piste : {test.hint.strip()}")
    if with_diagnostics:
        parts.extend(f"Attention — {diagnostic_text(d)}" for d in exercise.diagnostics)
    return "\n".join(parts)


def timeline_text(test: TestResult) -> str:
    """A failed timing test's timeline as plain text: its title, then the drawing."""
    assert test.timeline is not None
    return f"{timeline.title(test.timeline)}\n{timeline.plain(test.timeline)}"


def carries_diagnostics(exercise: ExerciseResult, index: int) -> bool:
    """Whether the test at `index` shows the exercise's pitfalls in a per-test format.

    Pitfalls belong to the exercise, not to one test: they go with every test
    that did not pass (where the student looks), and with the first test so
    that they still show when everything passed.
    """
    return index == 0 or exercise.tests[index].status is not Status.PASSED
