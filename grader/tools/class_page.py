"""A class at a glance: the figures of the summary, and the same as one static HTML page.

`stats` works the figures out once, from the class's rows; `summary` says
them in the terminal at the end of a class's grading, `page` draws them for
`--html FILE` with pygal: the spread of the totals, every test's pass rate,
the commonest pitfalls and each student's line, with under it the timeline
of the first failed timing test of each exercise (the per-student report of
`--reports` draws them all). The page needs no network
to be read (pygal's tooltip script is left out, its styles are inline) and
is the same for the same grades, byte for byte (pygal's random chart ids
are replaced). Every text a student chose (a folder's name, a problem that
quotes their code) is escaped.
"""

from __future__ import annotations

import html
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grader.formats import timeline
from grader.formats.words import DIAGNOSTIC_LABELS, cut, points
from grader.results import Report, Status

if TYPE_CHECKING:
    from grader.tools.class_sheet import Row

# Totals are counted by tenths of the maximum.
BANDS = 10
# The tests the class passes least, in the terminal's summary.
HARDEST_SHOWN = 5


@dataclass(frozen=True)
class TestRate:
    exercise: str
    title: str
    passed: int
    seen: int

    __test__ = False

    @property
    def percent(self) -> int:
        return round(100 * self.passed / self.seen) if self.seen else 0


@dataclass(frozen=True)
class ClassStats:
    """What the summary and the page say of a class."""

    copies: int  # student folders, graded or not
    totals: tuple[float, ...]  # of the graded copies, sorted
    top: float  # the maximum total
    bands: tuple[int, ...]  # how many totals fall in each tenth of `top`
    exercise_means: tuple[tuple[str, float], ...]
    rates: tuple[TestRate, ...]  # every test, from the least passed
    pitfalls: tuple[tuple[str, int], ...]  # diagnostic kind, copies it was found in

    @property
    def mean(self) -> float:
        return round(statistics.fmean(self.totals), 2)

    @property
    def median(self) -> float:
        return float(statistics.median(self.totals))


def stats(rows: Sequence[Row], exercise_ids: Sequence[str]) -> ClassStats | None:
    """The class's figures; None when no copy could be graded."""
    graded = [row for row in rows if row.report is not None]
    if not graded:
        return None
    totals = tuple(sorted(row.total for row in graded))
    top = graded[0].max_score
    counted = Counter(min(BANDS - 1, int(BANDS * t / top)) if top else 0 for t in totals)
    passed: Counter[tuple[str, str]] = Counter()
    seen: Counter[tuple[str, str]] = Counter()
    kinds: Counter[str] = Counter()
    for row in graded:
        assert row.report is not None
        for exercise in row.report.exercises:
            for test in exercise.tests:
                seen[(exercise.id, test.title)] += 1
                passed[(exercise.id, test.title)] += test.status is Status.PASSED
            kinds.update({d.kind for d in exercise.diagnostics})
    rates = sorted(
        (TestRate(e, title, passed[(e, title)], n) for (e, title), n in seen.items()),
        key=lambda r: (r.passed / r.seen, r.exercise, r.title),
    )
    means = tuple(
        (e, round(statistics.fmean(row.points.get(e, 0.0) for row in graded), 2))
        for e in exercise_ids
    )
    return ClassStats(
        copies=len(rows),
        totals=totals,
        top=top,
        bands=tuple(counted[b] for b in range(BANDS)),
        exercise_means=means,
        rates=tuple(rates),
        pitfalls=tuple(sorted(kinds.items(), key=lambda k: (-k[1], k[0]))),
    )


def copies(n: int, *, graded: bool = False) -> str:
    """« 1 copie », « 3 copies », « 1 copie corrigée »: a count of copies in French."""
    word = "copie" if n <= 1 else "copies"
    return f"{n} {word}{' corrigée' if graded else ''}{'s' if graded and n > 1 else ''}"


def band_label(top: float, band: int) -> str:
    return f"{points(top * band / BANDS)}–{points(top * (band + 1) / BANDS)}"


def summary(rows: Sequence[Row], exercise_ids: Sequence[str]) -> str:
    """The class at a glance, in the terminal: totals, each exercise's mean, the hardest tests."""
    found = stats(rows, exercise_ids)
    if found is None:
        return "Aucune copie n'a pu être corrigée."
    top = found.top
    lines = [
        f"Classe : {copies(len(found.totals), graded=True)} sur {found.copies} ; "
        f"moyenne {points(found.mean)}/{points(top)}, "
        f"médiane {points(found.median)}/{points(top)}, "
        f"de {points(found.totals[0])} à {points(found.totals[-1])}.",
    ]
    spread = ", ".join(f"{band_label(top, b)} : {n}" for b, n in enumerate(found.bands) if n)
    lines.append(f"Répartition des totaux : {spread}.")
    lines += [f"  {e} : moyenne {points(mean)}" for e, mean in found.exercise_means]
    if found.rates:
        lines.append("Les tests que la classe réussit le moins :")
        lines += [
            f"  {r.percent} % — {r.exercise} : {r.title}" for r in found.rates[:HARDEST_SHOWN]
        ]
    if found.pitfalls:
        common = ", ".join(
            f"{DIAGNOSTIC_LABELS.get(kind, kind)} ({copies(n)})" for kind, n in found.pitfalls[:5]
        )
        lines.append(f"Pièges les plus fréquents : {common}.")
    if tampered := tampered_copies(rows):
        lines.append(f"Fichiers du kit modifiés, note du dépôt à ne pas croire : {tampered}.")
    return "\n".join(lines)


def tampered_copies(rows: Sequence[Row]) -> str:
    """The copies that edited the kit's files, each with the files: "" when none did."""
    return ", ".join(
        f"{row.name} ({', '.join(row.tampered[:3])}{' …' if len(row.tampered) > 3 else ''})"
        for row in rows
        if row.tampered
    )


# ---------------------------------------------------------------- the page

# pygal names each chart by a random uuid (its element id, its styles' and its config's key).
_CHART_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1, h2 { font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; }
td.points { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
tr.chronologies td { border-bottom: 1px solid #ddd; padding-top: 0; }
svg.chronologie { display: block; margin: .4rem 0; max-width: 100%; height: auto; }
"""


def _svg(chart: object, number: int) -> str:
    """A pygal chart as inline SVG, with a fixed id so the page is the same every time."""
    rendered: str = chart.render(is_unicode=True)  # type: ignore[attr-defined]
    return _CHART_ID.sub(str(number), rendered)


def _charts(found: ClassStats) -> tuple[str, str]:
    import pygal  # the class page only: grading a copy never loads it

    common = {"js": [], "disable_xml_declaration": True, "show_legend": False}
    spread = pygal.Bar(title="Répartition des totaux", width=800, height=360, **common)
    spread.x_labels = [band_label(found.top, b) for b in range(BANDS)]
    spread.add("copies", list(found.bands))
    most = max(found.bands)
    # Whole copies on the axis: 0, 1, 2... rather than 0.2 steps.
    spread.y_labels = list(range(0, most + 1, max(1, most // 10)))
    height = max(240, 28 * len(found.rates) + 120)
    rates = pygal.HorizontalBar(
        title="Réussite de chaque test (% des copies)",
        width=800,
        height=height,
        range=(0, 100),
        **common,
    )
    # pygal draws a horizontal chart's first label at the bottom: the least
    # passed test ends up on top.
    ordered = list(reversed(found.rates))
    # A test's whole title would leave the bars a sliver of the width: the
    # exercise by its number, the title cut, still name the test.
    rates.x_labels = [cut(f"{r.exercise.split('_')[0]} : {r.title}", 60) for r in ordered]
    rates.add("réussite", [r.percent for r in ordered])
    return _svg(spread, 1), _svg(rates, 2)


def _timelines(report: Report) -> list[str]:
    """The first failed timing test of each exercise, its title and its SVG picture.

    One per exercise keeps a class of two hundred readable and its page
    light; the student's own report (`--reports`) has every timeline.
    """
    esc = html.escape
    parts = []
    for exercise in report.exercises:
        test = next(
            (t for t in exercise.tests if t.timeline and t.status is not Status.PASSED), None
        )
        if test is None or test.timeline is None:
            continue
        parts.append(
            f"<p>{esc(exercise.id)} — {esc(test.title)} : {esc(timeline.title(test.timeline))}</p>"
        )
        parts.append(timeline.svg(test.timeline))
    return parts


def page(rows: Sequence[Row], exercise_ids: Sequence[str], title: str = "Classe") -> str:
    """The class's HTML page: figures, the two charts, pitfalls, one line per student."""
    found = stats(rows, exercise_ids)
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="fr">',
        '<head><meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        f"<style>{_STYLE}</style></head>",
        "<body>",
        f"<h1>{esc(title)}</h1>",
    ]
    if found is None:
        parts.append("<p>Aucune copie n'a pu être corrigée.</p>")
    else:
        top = points(found.top)
        parts.append(
            f'<p id="resume">{copies(len(found.totals), graded=True)} sur {found.copies} ; '
            f"moyenne {points(found.mean)}/{top}, médiane {points(found.median)}/{top}, "
            f"de {points(found.totals[0])} à {points(found.totals[-1])}.</p>"
        )
        spread, rates = _charts(found)
        parts += [f'<figure id="totaux">{spread}</figure>', f'<figure id="tests">{rates}</figure>']
        parts.append("<h2>Moyenne de chaque exercice</h2><table>")
        parts += [
            f'<tr><td>{esc(e)}</td><td class="points">{points(mean)}</td></tr>'
            for e, mean in found.exercise_means
        ]
        parts.append("</table>")
        if found.pitfalls:
            parts.append("<h2>Pièges les plus fréquents</h2><ul>")
            parts += [
                f"<li>{esc(DIAGNOSTIC_LABELS.get(kind, kind))} : {copies(n)}</li>"
                for kind, n in found.pitfalls
            ]
            parts.append("</ul>")
    if tampered := tampered_copies(rows):
        parts.append(
            '<h2>Fichiers du kit modifiés</h2><p id="modifies">La note que le dépôt de ces '
            f"élèves a affichée a pu être faussée ; celle-ci vient du kit : {esc(tampered)}.</p>"
        )
    parts.append('<h2>Les copies</h2><table id="copies">')
    parts.append("<tr><th>élève</th><th>total</th><th>à vérifier</th></tr>")
    for row in rows:
        total = f"{points(row.total)}/{points(row.max_score)}"
        parts.append(
            f'<tr><td>{esc(row.name)}</td><td class="points">{total}</td>'
            f"<td>{esc(row.problem)}</td></tr>"
        )
        drawn = _timelines(row.report) if row.report is not None else []
        if drawn:
            shown = len(drawn) // 2
            parts.append(
                '<tr class="chronologies"><td colspan="3"><details><summary>'
                f"{shown} chronologie{'s' if shown > 1 else ''} de test de temps échoué"
                f"{'s' if shown > 1 else ''}</summary>{''.join(drawn)}</details></td></tr>"
            )
    parts += ["</table>", "</body>", "</html>", ""]
    return "\n".join(parts)
