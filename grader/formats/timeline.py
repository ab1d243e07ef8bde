"""A failed test's last call drawn as text or SVG: one bar per watched call on a time axis.

What it is for: "a duré 6.00 s ; attendu 3.00 s" says that the calls ran one
after the other; three bars end to end show it. Each row is a call the test
watched (`results.Span`), a `▲` marks each line printed, and `░` fills every
row while a blocking call held the event loop. The drawing fits 80 columns
under the report's indent, reads the same without colour, and depends on the
timeline alone (never on the terminal), so it can be kept in golden files.
It imports nothing but the results: the formats that never load rich (JUnit,
Classroom, Gradescope) show it too, as `plain` text.
"""

from __future__ import annotations

from functools import partial
from html import escape

from grader.results import SCHEDULES, Timeline

# 80 columns less the report's indent under a failure (4 + 2).
WIDTH = 74
MAX_LABEL = 28
BAR, OPEN, BLOCKED, PRINTED, EXPECTED = "█", "»", "░", "▲", "·"
# Steps the axis may be graduated in, in virtual seconds.
_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100, 250, 500)
# Columns between two graduations, at least: room for a label and a space.
_MIN_GAP = 6


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _common_start(texts: list[str]) -> str:
    prefix = texts[0]
    for text in texts[1:]:
        while not text.startswith(prefix):
            prefix = prefix[:-1]
    return prefix


def _labels(timeline: Timeline, drop_name: bool) -> list[str]:
    """Each span's label, cut to fit where the calls of one function differ.

    Calls of one function often share a long start (`recuperer('https://api.
    exemple.fr/mesures/1')`, `…/2')`): that start is said once, as « … »,
    cut at a boundary so that « mesures/1 » never reads « sures/1 ».
    """
    split = [s.label.partition("(") for s in timeline.spans]
    groups: dict[str, list[str]] = {}
    for name, _, args in split:
        groups.setdefault(name, []).append(args)
    cuts: dict[str, int] = {}
    for name, all_args in groups.items():
        # Cut only when a label would not fit whole.
        fits = all(len(("" if drop_name else name) + "(" + a) <= MAX_LABEL for a in all_args)
        start = _common_start(all_args) if len(all_args) > 1 and not fits else ""
        cut = max(start.rfind(c) for c in "/ ,'\"({[:") + 1 if len(start) > 4 else 0
        cuts[name] = cut
    labels = []
    for name, paren, args in split:
        shown_args = "…" + args[cuts[name] :] if cuts[name] > 0 else args
        labels.append(_short(("" if drop_name else name) + paren + shown_args))
    return labels


def _span_of(timeline: Timeline) -> float:
    ends = [timeline.elapsed, *timeline.printed]
    ends += [s.end if s.end is not None else s.start for s in timeline.spans]
    ends += [start + seconds for start, seconds in timeline.blocked]
    ends += [s.end for s in timeline.expected if s.end is not None]
    return max(ends) or 1.0


def _step(total: float, columns: int) -> float:
    most = max(1, columns // _MIN_GAP)
    return next((s for s in _STEPS if total / s <= most), _STEPS[-1])


def title(timeline: Timeline) -> str:
    """The line above the drawing, which may wrap: what was called, and which calls are drawn."""
    text = f"Chronologie de {timeline.call}, en secondes virtuelles"
    function = _common_function(timeline)
    if function:
        text += f" ; une ligne par appel de {function}"
    return text + " :"


def _common_function(timeline: Timeline) -> str:
    """The function every drawn call is a call of, or ""."""
    names = {s.label.partition("(")[0] for s in timeline.spans}
    return names.pop() if len(names) == 1 and all("(" in s.label for s in timeline.spans) else ""


def rows(timeline: Timeline) -> list[list[tuple[str, str]]]:
    """The drawing's lines, the axis and the legend last, each as (text, style) pieces.

    `WIDTH` columns at most; a style is a rich style name the terminal report
    applies and every other format drops. When
    every call is of one function (the title names it), a row shows its
    arguments only, so that they fit.
    """
    labels = _labels(timeline, drop_name=bool(_common_function(timeline)))
    extra = ["lignes affichées"] if timeline.printed else []
    width = max(len(label) for label in [*labels, *extra])
    # The ruler's last graduation sits one column past the last cell.
    columns = WIDTH - width - 2
    total = _span_of(timeline)

    def col(t: float) -> int:
        return max(0, min(columns, round(t / total * columns)))

    blocked: set[int] = set()
    for start, seconds in timeline.blocked:
        blocked.update(range(col(start), max(col(start + seconds), col(start) + 1)))
    blocked.discard(columns)

    def row(cells: list[str], style: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        while cells and cells[-1] == " " and len(cells) - 1 not in blocked:
            cells = cells[:-1]  # no trailing blanks
        for i, cell in enumerate(cells):
            if cell == " " and i in blocked:
                out.append((BLOCKED, "yellow"))
            else:
                out.append((cell, style if cell != " " else ""))
        return out

    lines: list[list[tuple[str, str]]] = []
    ghosts = False
    for index, (span, label) in enumerate(zip(timeline.spans, labels, strict=True)):
        cells = [" "] * columns
        start = min(col(span.start), columns - 1)
        end = columns if span.end is None else max(col(span.end), start + 1)
        for i in range(start, min(end, columns)):
            cells[i] = BAR
        if span.end is None:
            cells[-1] = OPEN
        pieces = row(cells, "cyan")
        if timeline.expected:
            # Where the call was expected and did not run: dots, under no bar.
            wanted = timeline.expected[index]
            first = min(col(wanted.start), columns - 1)
            last = max(col(wanted.end or wanted.start), first + 1)
            for i in range(first, min(last, columns)):
                # Never over a bar, nor over the band of a blocking call.
                if i >= len(pieces) or pieces[i][0] == " ":
                    pieces += [(" ", "")] * (i + 1 - len(pieces))
                    pieces[i] = (EXPECTED, "dim")
                    ghosts = True
        lines.append([(label.ljust(width) + " ", ""), *pieces])
    if timeline.printed:
        cells = [" "] * columns
        for t in timeline.printed:
            cells[min(col(t), columns - 1)] = PRINTED
        lines.append([(extra[0].ljust(width) + " ", ""), *row(cells, "green")])

    step = _step(total, columns)
    ticks = [k * step for k in range(int(total / step + 1e-9) + 1)]
    ruler = ["─"] * (columns + 1)
    ruler[0] = "└"
    room = WIDTH - width - 1  # seconds, as the title says: no unit to make room for
    scale = [" "] * room
    free = 0  # the first column a label may start at
    for t in ticks:
        c = col(t)
        if c > 0:
            ruler[c] = "┴"
        number = f"{t:g}"
        if c >= free and c + len(number) <= room:
            scale[c : c + len(number)] = number
            free = c + len(number) + 1
    axis = "".join(scale).rstrip()

    lines.append([(" " * (width + 1) + "".join(ruler), "dim")])
    lines.append([(" " * (width + 1) + axis, "")])
    legend = []
    if timeline.printed:
        legend.append(f"{PRINTED} : une ligne affichée")
    if timeline.blocked:
        legend.append(f"{BLOCKED} : l'event loop bloquée par un appel bloquant")
    if any(s.end is None for s in timeline.spans):
        legend.append(f"{OPEN} : pas fini quand l'appel a rendu la main")
    if ghosts:
        how = SCHEDULES.get(timeline.schedule, "")
        legend.append(f"{EXPECTED} : où l'appel était attendu ({how})")
    if timeline.more:
        legend.append(f"… et {timeline.more} autres appels, non dessinés")
    lines.extend([(item, "")] for item in legend)
    return lines


def plain(timeline: Timeline) -> str:
    """The drawing as plain text, one line per row (for logs and every other format)."""
    return "\n".join("".join(chunk for chunk, _ in row) for row in rows(timeline))


# ---------------------------------------------------------------- as a picture

# Pixels: the label column's character width, a row's height, the plot's width.
_CHAR, _ROW, _PLOT = 7.2, 22, 560
# Labels and titles are element text in the picture: <, > and & escaped.
_text = partial(escape, quote=False)
_BAR_COLOUR, _PRINTED_COLOUR, _BLOCKED_COLOUR = "#3b82c4", "#2e8540", "#f2c94c"


def svg(timeline: Timeline) -> str:
    """The same drawing as an SVG picture: bars, printed lines, blocking bands and the axis.

    Self-contained (no script, no font or style to fetch), in the order and
    with the labels of the text drawing, so that both read alike.
    """
    labels = _labels(timeline, drop_name=bool(_common_function(timeline)))
    names = [*labels, *(["lignes affichées"] if timeline.printed else [])]
    left = round(max(len(n) for n in names) * _CHAR + 12)
    total = _span_of(timeline)
    top, height = 8, _ROW * len(names)
    width = left + _PLOT + 24

    def x(t: float) -> float:
        return round(left + max(0.0, min(total, t)) / total * _PLOT, 1)

    parts = []
    for start, seconds in timeline.blocked:
        parts.append(
            f'<rect class="bloque" x="{x(start)}" y="{top}" '
            f'width="{max(1.0, round(x(start + seconds) - x(start), 1))}" height="{height}" '
            f'fill="{_BLOCKED_COLOUR}" opacity="0.5"/>'
        )
    for i, name in enumerate(names):
        y = top + i * _ROW
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{_text(name)}</text>')
    for i, wanted in enumerate(timeline.expected):
        y = top + i * _ROW + 3
        length = max(2.0, round(x(wanted.end or wanted.start) - x(wanted.start), 1))
        parts.append(
            f'<rect class="attendu" x="{x(wanted.start)}" y="{y}" width="{length}" '
            f'height="{_ROW - 6}" fill="none" stroke="#555" stroke-dasharray="4 3"/>'
        )
    for i, span in enumerate(timeline.spans):
        y = top + i * _ROW + 4
        end = x(span.end) if span.end is not None else x(total)
        bar = max(2.0, round(end - x(span.start), 1))
        parts.append(
            f'<rect class="appel" x="{x(span.start)}" y="{y}" width="{bar}" height="{_ROW - 8}" '
            f'fill="{_BAR_COLOUR}"><title>{_text(span.label)}</title></rect>'
        )
        if span.end is None:
            parts.append(f'<text x="{end + 3}" y="{y + 11}">»</text>')
    if timeline.printed:
        y = top + len(timeline.spans) * _ROW + 4
        for t in timeline.printed:
            cx = x(t)
            parts.append(
                f'<path class="ligne" d="M{cx} {y} l5 {_ROW - 8} h-10 z" fill="{_PRINTED_COLOUR}"/>'
            )
    axis = top + height + 4
    parts.append(f'<path d="M{left} {axis} H{left + _PLOT}" stroke="#555" fill="none"/>')
    step = _step(total, _PLOT // 12)
    for k in range(int(total / step + 1e-9) + 1):
        tx = x(k * step)
        parts.append(f'<path d="M{tx} {axis} v5" stroke="#555"/>')
        parts.append(f'<text x="{tx}" y="{axis + 18}" text-anchor="middle">{k * step:g}</text>')
    full = axis + 26
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chronologie" width="{width}" '
        f'height="{full}" viewBox="0 0 {width} {full}" font-family="sans-serif" font-size="12" '
        f'role="img"><title>{_text(title(timeline))}</title>' + "".join(parts) + "</svg>"
    )
