"""A failed test's last call, as a timeline the terminal report draws.

"a duré 12.40 s ; attendu 5.20 s" says that something ran one after the
other; the bars of the calls the test watched (spies and fakes), the lines
printed and the blocking calls, on one virtual time axis, show what. Built
from what the executor already observed (`protocol.Observation`, kept by
`harness.run` as the link's `last_run`); nothing more is run for it.

Only calls the suite watched are drawn, named as the student's code called
them, so a timeline shows nothing the message could not have said.
"""

from __future__ import annotations

from grader.judge.harness import Execution, show
from grader.results import SCHEDULES, Span, Timeline, clean_text

# Rows a report can show and still be read; the rest are counted.
MAX_SPANS = 12
MAX_LABEL = 160
MAX_MARKS = 60


def _shown(value: object) -> str:
    # A drawn duration needs no more than three figures: 4.69558354303721 is 4.7.
    return format(value, ".3g") if type(value) is float else show(value, 80)


def _label(name: str, args: tuple[object, ...], kwargs: dict[str, object]) -> str:
    parts = [_shown(a) for a in args] + [f"{k}={_shown(v)}" for k, v in kwargs.items()]
    text = clean_text(f"{name}({', '.join(parts)})")
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def expected(spans: list[Span], schedule: str) -> tuple[Span, ...]:
    """Where each call was expected: the same calls, as long, run as `schedule` says.

    `ensemble`: every call from the first one's start; `a_la_suite`: each one
    when the one before it ends, in the order they started. Nothing when a
    call never ended (its length is not known) or for no schedule.
    """
    if schedule not in SCHEDULES or not spans or any(s.end is None for s in spans):
        return ()
    first = min(s.start for s in spans)
    out: list[Span] = []
    at = first
    for span in spans:
        length = (span.end or span.start) - span.start
        start = first if schedule == "ensemble" else at
        out.append(Span(span.label, round(start, 6), round(start + length, 6)))
        at = start + length
    return tuple(out)


def build(call: str, ex: Execution, schedule: str = "") -> Timeline | None:
    """The timeline of `ex`, the Execution of `call`; None when it watched no call.

    `schedule` (a key of `results.SCHEDULES`, from the test's
    `@pytest.mark.timeline(schedule=...)`): how the calls should have run,
    drawn beside how they did.
    """
    spans = sorted(
        (
            Span(
                _label(name, r.args, r.kwargs),
                max(0.0, r.start - ex.t0),
                None if r.end is None else max(0.0, r.end - ex.t0),
            )
            for name, records in ex.calls.items()
            for r in records
        ),
        # Stable: calls made at one instant keep the order they were made in.
        key=lambda s: s.start,
    )
    if not spans:
        return None
    shown = spans[:MAX_SPANS]
    return Timeline(
        call=clean_text(call)[:200],
        elapsed=ex.elapsed,
        spans=tuple(shown),
        printed=tuple(line.t for line in ex.lines[:MAX_MARKS]),
        blocked=tuple(
            (max(0.0, b.at - ex.t0), b.duration) for b in ex.blocking[:MAX_MARKS] if b.duration > 0
        ),
        more=max(0, len(spans) - MAX_SPANS),
        expected=expected(shown, schedule),
        schedule=schedule if schedule in SCHEDULES else "",
    )
