"""Timelines under failed timing tests: what the executor saw, in 80 columns, without colour.

First the drawing alone, on timelines built by hand (one of each shape);
then real copies graded for real: a sequential ex1 and ex2, and an ex2 that
blocks the event loop with time.sleep. After a deliberate change of the
drawing, regenerate the golden files and read the diff before committing:

    UPDATE_GOLDEN=1 python -m pytest tests/test_timeline.py
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import browser
import pytest
from test_formats import check_golden

from grader.formats import html, terminal, timeline
from grader.metadata import load_catalogue
from grader.results import Report, Span, Status, Timeline

SUBMISSIONS = Path(__file__).parent / "submissions"
# The report's indent under a failure, plus the drawing: what a terminal must hold.
COLUMNS = 80

pytestmark = pytest.mark.timeout(120)

SEQUENTIAL = Timeline(
    call="run_async()",
    elapsed=6.0,
    spans=(
        Span("fetch_users_async()", 0.0, 2.0),
        Span("fetch_orders_async()", 2.0, 5.0),
        Span("fetch_inventory_async()", 5.0, 6.0),
    ),
    printed=(6.0,),
)
CONCURRENT = Timeline(
    call="telecharger_tout({'a.zip': 2.5, 'b.zip': 0.5, 'c.zip': 1.25})",
    elapsed=2.5,
    spans=(
        Span("telecharger('a.zip', 2.5)", 0.0, 2.5),
        Span("telecharger('b.zip', 0.5)", 0.0, 0.5),
        Span("telecharger('c.zip', 1.25)", 0.0, 1.25),
    ),
    printed=(0.5, 1.25, 2.5, 2.5),
)
BLOCKING = Timeline(
    call="telecharger_tout({'a.zip': 2.0, 'b.zip': 1.0})",
    elapsed=3.0,
    spans=(
        Span("telecharger('a.zip', 2.0)", 0.0, 2.0),
        Span("telecharger('b.zip', 1.0)", 2.0, 3.0),
    ),
    printed=(2.0, 3.0),
    blocked=((0.0, 2.0), (2.0, 1.0)),
)
UNFINISHED_AND_MANY = Timeline(
    call="pipeline(urls, 2)",
    elapsed=0.75,
    spans=(
        *(
            Span(f"recuperer('https://api.exemple.fr/mesures/{i}')", i * 0.05, i * 0.1 + 0.2)
            for i in range(1, 12)
        ),
        Span("analyser([1, 2, 3])", 0.5, None),
    ),
    more=3,
)
SHAPES = {
    "sequential": SEQUENTIAL,
    "concurrent": CONCURRENT,
    "blocking": BLOCKING,
    "unfinished": UNFINISHED_AND_MANY,
}


def test_each_shape_is_drawn_as_its_golden_file_says() -> None:
    text = "".join(
        f"== {name}\n{timeline.title(t)}\n{timeline.plain(t)}\n\n" for name, t in SHAPES.items()
    )
    check_golden("timelines.txt", text)


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_the_drawing_fits_80_columns_under_the_report_indent(shape: Timeline) -> None:
    for line in timeline.plain(shape).splitlines():
        assert 6 + len(line) <= COLUMNS, line


def test_sequential_bars_end_where_the_next_begins() -> None:
    rows = timeline.plain(SEQUENTIAL).splitlines()
    first, second = rows[0], rows[1]
    assert first.rstrip().endswith(timeline.BAR)
    # The second call starts in the column right after the first one ends.
    assert second.index(timeline.BAR) == len(first.rstrip())


def test_concurrent_bars_all_start_at_zero() -> None:
    rows = timeline.plain(CONCURRENT).splitlines()[:3]
    starts = {row.index(timeline.BAR) for row in rows}
    assert len(starts) == 1


def test_a_blocking_call_fills_every_row() -> None:
    rows = timeline.plain(BLOCKING).splitlines()
    assert timeline.BLOCKED in rows[0] and timeline.BLOCKED in rows[1]
    assert "l'event loop bloquée" in rows[-1]


def test_calls_of_one_function_are_cut_where_they_differ() -> None:
    text = timeline.plain(UNFINISHED_AND_MANY)
    assert "recuperer(…1')" in text and "recuperer(…11')" in text
    assert timeline.OPEN in text and "et 3 autres appels" in text


def _failed_report(copy: Path, exercise: str, grade: Callable[..., Report]) -> tuple[Report, str]:
    report = grade(copy, [exercise])
    text = terminal.render(dataclasses.replace(report, target="copie"), color=False)
    return report, text


@pytest.mark.parametrize(
    ("copy", "golden"),
    [
        ("ex1_sync_vs_async/sequentiel", "timeline_ex1_sequentiel.txt"),
        ("ex2_telechargeur/sequentiel", "timeline_ex2_sequentiel.txt"),
        ("ex2_telechargeur/time_sleep", "timeline_ex2_time_sleep.txt"),
    ],
)
def test_a_real_timing_failure_shows_its_timeline(
    copy: str, golden: str, grade: Callable[..., Report]
) -> None:
    exercise = copy.split("/")[0]
    report, text = _failed_report(SUBMISSIONS / copy, exercise, grade)
    drawn = [t for e in report.exercises for t in e.tests if t.timeline is not None]
    assert drawn, "a timing failure of a sequential copy must carry a timeline"
    assert all(t.status is Status.FAILED for t in drawn)
    # Only the failures' timelines, kept as the golden file says.
    start = text.index("À revoir :")
    check_golden(golden, text[start : text.index("Récapitulatif")])
    assert text.count("Chronologie de ") == len(drawn)


def test_a_check_that_is_not_about_time_has_no_timeline(grade: Callable[..., Report]) -> None:
    # A missing sentinel fails on a count of None in the queue, not on a schedule.
    report, text = _failed_report(
        SUBMISSIONS / "ex4_pipeline" / "une_seule_sentinelle", "ex4_pipeline", grade
    )
    assert any(t.status is Status.FAILED for e in report.exercises for t in e.tests)
    assert "Chronologie" not in text


# ---------------------------------------------------------------- nox -s timeline


ROOT = Path(__file__).parent.parent


def _timeline_tool(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from grader.tools import timeline as tool

    code = tool.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_draws_the_reference_solution(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _timeline_tool(
        capsys, "ex1_sync_vs_async", "--target", str(ROOT / "solutions")
    )
    assert (code, err) == (0, "")
    check_golden("timeline_tool_ex1_solution.txt", out)
    # Together: the three bars start in one column.
    rows = [line for line in out.splitlines() if line.startswith("fetch_")]
    assert len(rows) == 3 and len({row.index(timeline.BAR) for row in rows}) == 1


def test_the_command_shows_a_sequential_copy_end_to_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy = SUBMISSIONS / "ex1_sync_vs_async" / "sequentiel"
    code, out, _ = _timeline_tool(capsys, "ex1_sync_vs_async", "--target", str(copy))
    assert code == 0
    first, second, _third = (line for line in out.splitlines() if line.startswith("fetch_"))
    assert second.index(timeline.BAR) == len(first.rstrip())
    assert "Durée totale : 6.00 s virtuelles." in out


@pytest.mark.parametrize("exercise", [e.id for e in load_catalogue().exercises])
def test_the_command_draws_every_exercise(
    capsys: pytest.CaptureFixture[str], exercise: str
) -> None:
    code, out, _ = _timeline_tool(capsys, exercise, "--target", str(ROOT / "solutions"))
    assert code == 0
    assert "Chronologie de " in out and "Lignes affichées :" in out


def test_the_command_on_a_stub_says_what_to_write(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _timeline_tool(capsys, "ex2_telechargeur", "--target", str(ROOT / "exercises"))
    assert code == 1
    assert "encore à compléter" in out and "Chronologie" not in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ((), "donnez l'exercice à dessiner, par exemple : nox -s timeline -- ex2_telechargeur"),
        (("ex9",), "exercice inconnu : ex9"),
        (("ex1_sync_vs_async", "--target", "nulle_part"), "« nulle_part » n'existe pas"),
    ],
)
def test_the_command_refuses_bad_input_in_one_line(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: str
) -> None:
    code, out, err = _timeline_tool(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("nox -s timeline -- : erreur : ") and err.count("\n") == 1
    assert expected in err


# ---------------------------------------------------------------- the other formats


def _report_with_a_timeline() -> Report:
    from grader.results import ExerciseResult, TestResult

    failed = TestResult(
        id="async_duree_du_plus_long",
        title="La version asynchrone dure autant que la plus longue attente",
        hidden=True,
        status=Status.FAILED,
        score=0.0,
        max_score=4.0,
        message="run_async() a duré 6.00 s ; attendu 3.00 s",
        timeline=SEQUENTIAL,
    )
    exercise = ExerciseResult("ex1_sync_vs_async", "Synchrone contre asynchrone", (failed,))
    return Report(exercises=(exercise,))


def test_the_classroom_summary_and_gradescope_show_the_timeline_monospaced() -> None:
    from grader.formats import classroom, gradescope, json_report

    report = _report_with_a_timeline()
    drawing = timeline.plain(SEQUENTIAL)
    summary = classroom.summary_markdown(report)
    # Inside the fence, every row indented alike, so that the bars line up.
    assert all(f"  {row}".rstrip() in summary for row in drawing.splitlines())
    fence_open = summary.index("```text")
    assert fence_open < summary.index(drawing.splitlines()[0]) < summary.rindex("```")
    (test,) = gradescope.results(report)["tests"]
    assert drawing in test["output"] and test["output_format"] == "text"
    # The contract's JSON holds no timeline: its keys are fixed.
    assert "Chronologie" not in json_report.render(report)


# ---------------------------------------------------------------- as a picture


def test_each_shape_is_drawn_as_its_golden_picture_says() -> None:
    text = "".join(f"<!-- {name} -->\n{timeline.svg(t)}\n" for name, t in SHAPES.items())
    check_golden("timelines.svg.html", text)


def test_the_picture_has_a_bar_per_call_a_mark_per_line_and_a_band_per_block() -> None:
    drawn = timeline.svg(BLOCKING)
    assert drawn.count('class="appel"') == len(BLOCKING.spans)
    assert drawn.count('class="ligne"') == len(BLOCKING.printed)
    assert drawn.count('class="bloque"') == len(BLOCKING.blocked)
    # The student's labels are text in the picture, never markup.
    hostile = dataclasses.replace(SEQUENTIAL, spans=(Span("f('</text><script>')", 0.0, 1.0),))
    assert "<script>" not in timeline.svg(hostile)


def test_a_real_report_page_shows_the_timelines_in_a_browser(
    tmp_path: Path, grade: Callable[..., Report]
) -> None:
    # ex2 with time.sleep: calls one after the other, and the loop held all along.
    report, _ = _failed_report(
        SUBMISSIONS / "ex2_telechargeur/time_sleep", "ex2_telechargeur", grade
    )
    page = tmp_path / "rapport.html"
    page.write_text(html.render(report), encoding="utf-8")
    drawn = [t for e in report.exercises for t in e.tests if t.timeline is not None]
    dom, colours = browser.render(page, tmp_path, size="1000,4000")
    assert dom.count('class="chronologie"') == len(drawn) > 0
    assert 'class="bloque"' in dom and 'class="appel"' in dom
    assert colours > 50


def test_the_expected_schedule_keeps_each_call_as_long() -> None:
    from grader.judge.timeline import expected

    spans = list(SEQUENTIAL.spans)
    assert [(s.start, s.end) for s in expected(spans, "ensemble")] == [
        (0.0, 2.0),
        (0.0, 3.0),
        (0.0, 1.0),
    ]
    concurrent = [Span("a", 0.0, 2.0), Span("b", 0.0, 1.0)]
    assert [(s.start, s.end) for s in expected(concurrent, "a_la_suite")] == [
        (0.0, 2.0),
        (2.0, 3.0),
    ]
    # A call that never ended has no known length: nothing is drawn as expected.
    assert expected([Span("a", 0.0, None)], "ensemble") == ()
    assert expected(spans, "inconnu") == ()


def test_in_chains_each_step_is_expected_when_the_one_it_follows_ends() -> None:
    from grader.judge import timeline as judge_timeline
    from grader.judge.harness import Execution
    from grader.protocol import FakeSpec, Recorded

    # Two chains done step by step: both first steps, then both second ones.
    users = FakeSpec("fetch_user", rows=((7, 0.5, "zoe"), (3, 1.5, "lea")))
    posts = FakeSpec("fetch_posts", rows=(("zoe", 1.0, ["z"]), ("lea", 0.25, ["l"])))
    ex = Execution(
        value=None,
        elapsed=2.5,
        t0=10.0,
        lines=[],
        pending=[],
        blocking=[],
        calls={
            "fetch_user": [Recorded((7,), {}, 10.0, 10.5), Recorded((3,), {}, 10.0, 11.5)],
            # The student read a decoy name for the second chain: it follows nothing.
            "fetch_posts": [
                Recorded(("zoe",), {}, 11.5, 12.5),
                Recorded(("bob",), {}, 11.5, 11.75),
            ],
        },
        fakes=(users, posts),
    )
    drawn = judge_timeline.build("toutes_les_chaines([7, 3])", ex, schedule="chaines")
    assert drawn is not None and drawn.schedule == "chaines"
    assert [(s.label, s.start, s.end) for s in drawn.expected] == [
        ("fetch_user(7)", 0.0, 0.5),
        ("fetch_user(3)", 0.0, 1.5),
        # zoe's posts were due when fetch_user(7) returned zoe, at 0.5.
        ("fetch_posts('zoe')", 0.5, 1.5),
        ("fetch_posts('bob')", 0.0, 0.25),
    ]
    legend = (
        f"{timeline.EXPECTED} : où l'appel était attendu (chaque étape dès la fin de la précédente)"
    )
    assert legend in timeline.plain(drawn).splitlines()
    assert all(len(line) <= 80 for line in timeline.plain(drawn).splitlines())


def test_where_a_call_was_expected_is_dotted_beside_its_bar() -> None:
    drawn = dataclasses.replace(
        SEQUENTIAL,
        expected=(
            Span("fetch_users_async()", 0.0, 2.0),
            Span("fetch_orders_async()", 0.0, 3.0),
            Span("fetch_inventory_async()", 0.0, 1.0),
        ),
        schedule="ensemble",
    )
    text = timeline.plain(drawn).splitlines()
    # The first call ran where expected: no dot. The others started late: dots from 0.
    assert timeline.EXPECTED not in text[0]
    assert text[1].split(" ", 1)[1].lstrip().startswith(timeline.EXPECTED)
    assert f"{timeline.EXPECTED} : où l'appel était attendu (tous en même temps)" in text
    assert timeline.EXPECTED not in timeline.plain(SEQUENTIAL)
    assert timeline.svg(drawn).count('class="attendu"') == 3
    assert 'class="attendu"' not in timeline.svg(SEQUENTIAL)
