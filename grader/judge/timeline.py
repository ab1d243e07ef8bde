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
from grader.protocol import FakeSpec, Recorded
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


def expected(
    spans: list[Span], schedule: str, follows: list[int | None] | None = None
) -> tuple[Span, ...]:
    """Where each call was expected: the same calls, as long, run as `schedule` says.

    `ensemble`: every call from the first one's start; `a_la_suite`: each one
    when the one before it ends, in the order they started; `chaines`: each
    call when the call at index `follows[i]` ends (the one whose result it
    received), from the first start when it follows none. Nothing when a
    call never ended (its length is not known) or for no schedule.
    """
    if schedule not in SCHEDULES or not spans or any(s.end is None for s in spans):
        return ()
    first = min(s.start for s in spans)
    out: list[Span] = []
    at = first
    for i, span in enumerate(spans):
        length = (span.end or span.start) - span.start
        if schedule == "ensemble":
            start = first
        elif schedule == "a_la_suite":
            start = at
        else:
            before = follows[i] if follows else None
            # Only a call drawn before this one can be followed: spans are in
            # order of start, and what a call received was there before it.
            start = (out[before].end or first) if before is not None and before < i else first
        out.append(Span(span.label, round(start, 6), round(start + length, 6)))
        at = start + length
    return tuple(out)


def _follows(records: list[tuple[str, Recorded]], fakes: tuple[FakeSpec, ...]) -> list[int | None]:
    """For each call, the earlier call whose fake's result it received as first argument."""
    results = {
        (fake.name, _key(key)): result for fake in fakes for key, _delay, result in fake.rows
    }
    made: list[object] = [
        results.get((name, _key(r.args[0]))) if r.args else None for name, r in records
    ]
    out: list[int | None] = []
    for i, (_name, record) in enumerate(records):
        received = _key(record.args[0]) if record.args else None
        out.append(
            next(
                (
                    j
                    for j in range(i - 1, -1, -1)
                    if made[j] is not None and _key(made[j]) == received
                ),
                None,
            )
        )
    return out


def _key(value: object) -> str:
    # Values from the wire are plain data: their repr compares them, lists and dicts too.
    return repr(value)


def build(call: str, ex: Execution, schedule: str = "") -> Timeline | None:
    """The timeline of `ex`, the Execution of `call`; None when it watched no call.

    `schedule` (a key of `results.SCHEDULES`, from the test's
    `@pytest.mark.timeline(schedule=...)`): how the calls should have run,
    drawn beside how they did.
    """
    records = sorted(
        ((name, r) for name, records in ex.calls.items() for r in records),
        # Stable: calls made at one instant keep the order they were made in.
        key=lambda pair: pair[1].start,
    )
    spans = [
        Span(
            _label(name, r.args, r.kwargs),
            max(0.0, r.start - ex.t0),
            None if r.end is None else max(0.0, r.end - ex.t0),
        )
        for name, r in records
    ]
    if not spans:
        return None
    shown = spans[:MAX_SPANS]
    follows = _follows(records[:MAX_SPANS], ex.fakes) if schedule == "chaines" else None
    return Timeline(
        call=clean_text(call)[:200],
        elapsed=ex.elapsed,
        spans=tuple(shown),
        printed=tuple(line.t for line in ex.lines[:MAX_MARKS]),
        blocked=tuple(
            (max(0.0, b.at - ex.t0), b.duration) for b in ex.blocking[:MAX_MARKS] if b.duration > 0
        ),
        more=max(0, len(spans) - MAX_SPANS),
        expected=expected(shown, schedule, follows),
        schedule=schedule if schedule in SCHEDULES else "",
    )
