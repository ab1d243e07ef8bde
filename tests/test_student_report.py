"""The report a student reads, on real copies: goldens of the untouched stubs,
one cause said once, a printed line against the expected one, and Python's
errors glossed in French.

After a deliberate change of wording or layout, regenerate the golden files
and read the diff before committing it:

    UPDATE_GOLDEN=1 python -m pytest tests/test_student_report.py
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from test_formats import check_golden

from grader.formats import terminal
from grader.judge.glosses import runtime_gloss, syntax_gloss
from grader.judge.harness import line_diff
from grader.results import Cause, Report

ROOT = Path(__file__).parent.parent
SUBMISSIONS = Path(__file__).parent / "submissions"

pytestmark = pytest.mark.timeout(120)


def _shown(report: Report, target: str) -> str:
    # The folder's absolute path changes from clone to clone; the rest may not.
    return terminal.render(dataclasses.replace(report, target=target), color=False)


def test_untouched_stubs_are_one_line_each_and_say_where_to_start(
    grade: Callable[..., Report],
) -> None:
    report = grade(ROOT / "exercises")
    text = _shown(report, "exercises")
    check_golden("report_stubs.txt", text)
    assert all(t.cause is Cause.UNWRITTEN for e in report.exercises for t in e.tests), (
        "a stub's tests must all fail on a function still to write"
    )
    assert text.count("pas encore commencé : 0/20") == 5
    assert "Piste" not in text
    assert "nox -s grade -- --only ex1_sync_vs_async\n" in text
    assert len(text.splitlines()) < 40


def test_a_missing_sentinel_is_said_once_with_the_tests_it_cost(
    grade: Callable[..., Report],
) -> None:
    copy = SUBMISSIONS / "ex4_pipeline" / "une_seule_sentinelle"
    report = grade(copy, ["ex4_pipeline"])
    text = _shown(report, "copie")
    check_golden("report_grouped.txt", text)
    (exercise,) = report.exercises
    deadlocked = [t for t in exercise.tests if t.fault.startswith("deadlock")]
    assert len(deadlocked) >= 5
    assert text.count("ne se termine jamais") == 1
    assert f"{len(deadlocked)} tests pour une même cause" in text


def test_a_syntax_error_is_glossed_once_without_hints(
    tmp_path: Path, grade: Callable[..., Report]
) -> None:
    source = (ROOT / "solutions" / "ex2_telechargeur.py").read_text(encoding="utf-8")
    (tmp_path / "ex2_telechargeur.py").write_text(source + '\nprint("oops)\n', encoding="utf-8")
    report = grade(tmp_path, ["ex2_telechargeur"])
    (exercise,) = report.exercises
    assert all(t.cause is Cause.IMPORT for t in exercise.tests)
    text = _shown(report, "copie")
    check_golden("report_syntax.txt", text)
    assert text.count("erreur de syntaxe") == 1
    assert "il manque un guillemet" in text
    assert "(Python : « unterminated string literal" in text
    assert "Tests concernés : tous ceux de cet exercice." in text
    assert "Piste" not in text


def test_a_wrong_line_is_shown_over_the_expected_one(
    tmp_path: Path, grade: Callable[..., Report]
) -> None:
    source = (ROOT / "solutions" / "ex2_telechargeur.py").read_text(encoding="utf-8")
    # The extra space before « s » of the student.
    changed = source.replace(":.1f}s)", ":.1f} s)")
    assert changed != source
    (tmp_path / "ex2_telechargeur.py").write_text(changed, encoding="utf-8")
    report = grade(tmp_path, ["ex2_telechargeur"], public_only=True)
    text = _shown(report, "copie")
    check_golden("report_line_diff.txt", text)
    assert "  affiché : « fichier_2.zip terminé (1.4 s) »\n" in text
    assert "  attendu : « fichier_2.zip terminé (1.4s) »\n" in text
    affiche = next(line for line in text.splitlines() if "affiché : « fichier_2" in line)
    caret = text.splitlines()[text.splitlines().index(affiche) + 2]
    assert caret.index("^") == affiche.index(" s)")


def test_public_only_score_is_said_in_words(grade: Callable[..., Report]) -> None:
    report = grade(ROOT / "solutions", ["ex1_sync_vs_async"], public_only=True)
    text = _shown(report, "solutions")
    last = text.splitlines()[-1]
    assert last.startswith("Tests publics : ")
    assert "la note finale, sur 20 par exercice, compte aussi les tests cachés" in last
    assert "Note :" not in text


@pytest.mark.parametrize(
    ("printed", "expected", "column"),
    [
        ("abc", "abd", 2),
        ("ab", "abc", 2),
        ("x" * 100 + "!", "x" * 100 + "?", 100),
    ],
)
def test_line_diff_points_at_the_first_difference(printed: str, expected: str, column: int) -> None:
    _, shown, wanted, caret = line_diff(printed, expected).split("\n")
    prefix = len("  affiché : « ")
    assert shown[:prefix] == "  affiché : « " and wanted[:prefix] == "  attendu : « "
    width = max(len(shown), len(wanted))
    first = next(i for i in range(prefix, width) if shown.ljust(width)[i] != wanted.ljust(width)[i])
    assert caret == " " * first + "^"
    if column < 40:
        # Short lines are shown whole: the caret is under the student's own column.
        assert first == prefix + column
    else:
        # Long ones only around the difference, marked as cut.
        assert shown.startswith("  affiché : « …") and len(shown) < 80


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("'<=' not supported between instances of 'NoneType' and 'int'", "None"),
        ("asyncio.run() cannot be called from a running event loop", "asyncio.run"),
        ("max() arg is an empty sequence", "liste vide"),
        ("max() iterable argument is empty", "liste vide"),
        ("a coroutine was expected, got <function f at 0x1>", "async def"),
        ("cannot unpack non-iterable coroutine object", "sans « await »"),
        ("name 'asyncoi' is not defined", "asyncoi"),
    ],
)
def test_common_errors_are_glossed(message: str, words: str) -> None:
    assert words in runtime_gloss(message)


def test_unknown_errors_keep_python_words_alone() -> None:
    assert runtime_gloss("something nobody wrote") == ""
    assert syntax_gloss("unterminated string literal (detected at line 3)")
    assert syntax_gloss("a message of a future Python") == ""


def test_a_runtime_gloss_reaches_the_report(tmp_path: Path, grade: Callable[..., Report]) -> None:
    # The classic slip: max() of the empty list of durations.
    source = (ROOT / "solutions" / "ex1_sync_vs_async.py").read_text(encoding="utf-8")
    changed = source.replace("    if not durees:\n        return 0.0\n", "")
    assert changed != source
    (tmp_path / "ex1_sync_vs_async.py").write_text(changed, encoding="utf-8")
    report = grade(tmp_path, ["ex1_sync_vs_async"])
    text = " ".join(_shown(report, "copie").split())
    assert "max() a reçu une liste vide" in text
    assert "(Python : « ValueError: max()" in text
