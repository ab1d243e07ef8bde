"""The terminal and JSON reports, checked against golden files.

After a deliberate change of wording or layout, regenerate the golden files
and read the diff before committing it:

    UPDATE_GOLDEN=1 python -m pytest tests/test_formats.py
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
from pathlib import Path
from types import MappingProxyType, ModuleType

import pytest

from grader import formats
from grader.formats import json_report, terminal, words
from grader.results import Report, Status

GOLDEN = Path(__file__).with_name("golden")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept)"


def test_report_covers_every_status(report: Report) -> None:
    # The golden files are only worth something if the sample shows everything.
    statuses = {t.status for e in report.exercises for t in e.tests}
    assert statuses == set(Status)
    assert any(t.hidden for e in report.exercises for t in e.tests)
    assert any(e.diagnostics for e in report.exercises)
    assert any(e.explanation for e in report.exercises)
    assert any(e.problem for e in report.exercises)


# ---------------------------------------------------------------- JSON


def test_json_golden(report: Report) -> None:
    check_golden("report.json", json_report.render(report, color=False))


def test_json_is_the_contract_report(report: Report) -> None:
    text = json_report.render(report, color=True)
    data = json.loads(text)
    assert data == report.to_dict()
    assert list(data) == ["score", "max_score", "exercises"]
    exercise = data["exercises"][1]
    assert list(exercise)[:6] == ["id", "title", "score", "max_score", "tests", "diagnostics"]
    assert list(exercise["tests"][0]) == [
        "id",
        "title",
        "hidden",
        "status",
        "score",
        "max_score",
        "message",
    ]
    assert list(exercise["diagnostics"][0]) == ["kind", "file", "line", "message"]
    # Readable French in the file itself, not \u escapes.
    assert "Téléchargeur" in text and "\\u00e9" not in text


def test_json_scores_are_floats(report: Report) -> None:
    data = json.loads(json_report.render(report))
    assert data["score"] == 22.0 and data["max_score"] == 60.0
    assert all(isinstance(e["score"], float) for e in data["exercises"])


# ---------------------------------------------------------------- terminal


def test_terminal_golden(report: Report) -> None:
    check_golden("report.txt", terminal.render(report, color=False))


def test_terminal_golden_public_only(public_report: Report) -> None:
    check_golden("report_public_only.txt", terminal.render(public_report, color=False))


def test_terminal_says_what_to_fix(report: Report) -> None:
    text = terminal.render(report, color=False)
    assert "Note : 22/60" in text
    flat = " ".join(text.split())
    for exercise in report.exercises:
        assert exercise.id in text
        if exercise.problem:
            continue
        for test in exercise.tests:
            assert test.title in flat
            if test.status is not Status.PASSED:
                assert " ".join(test.message.split()) in flat
                if test.hint:
                    assert "Piste : " + " ".join(test.hint.split()) in flat
    assert "« caché »" in text
    assert "ex1_sync_vs_async.py:42" in text
    assert "La version asynchrone attend les trois réponses en même temps." in text


def test_terminal_shows_brackets_as_written(report: Report) -> None:
    # Students' and tests' texts hold brackets ("[EN LIGNE]"): never rich markup.
    text = terminal.render(report, color=True)
    assert "[EN LIGNE]" in text
    assert "[sans markup]" in text


def test_terminal_public_only_notice(report: Report, public_report: Report) -> None:
    public = terminal.render(public_report, color=False)
    full = terminal.render(report, color=False)
    assert "tests cachés" in " ".join(public.split())
    assert "Tests publics : 22 points sur 60 ; la note finale" in " ".join(public.split())
    assert "Note : 22/60" not in public
    assert "Tests publics :" not in full
    assert "Note : 22/60" in full


def test_terminal_colour_only_when_asked(report: Report) -> None:
    plain = terminal.render(report, color=False)
    coloured = terminal.render(report, color=True, width=terminal.PLAIN_WIDTH)
    assert not ANSI.search(plain)
    assert ANSI.search(coloured)
    # Same words either way; only the escape codes and trailing blanks differ.
    assert [line.rstrip() for line in ANSI.sub("", coloured).splitlines()] == plain.splitlines()


def test_terminal_ignores_the_environment(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = terminal.render(report, color=False)
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert terminal.render(report, color=False) == expected


def test_terminal_all_passed(report: Report) -> None:
    full = report
    passed = Report(
        exercises=tuple(
            type(e)(
                id=e.id,
                title=e.title,
                tests=tuple(
                    type(t)(
                        id=t.id,
                        title=t.title,
                        hidden=t.hidden,
                        status=Status.PASSED,
                        score=t.max_score,
                        max_score=t.max_score,
                    )
                    for t in e.tests
                ),
            )
            for e in full.exercises
        )
    )
    text = terminal.render(passed, color=False)
    assert "Note : 60/60" in text
    assert "Bravo" in text
    assert "À revoir" not in text


def test_terminal_empty_report() -> None:
    assert "Note : 0/0" in terminal.render(Report(exercises=()), color=False)


@pytest.mark.parametrize(
    ("value", "text"),
    [(14.0, "14"), (1.5, "1.5"), (0.25, "0.25"), (1 / 3, "0.33"), (0.0, "0"), (-0.0001, "0")],
)
def test_points(value: float, text: str) -> None:
    assert words.points(value) == text


# ---------------------------------------------------------------- registry


def test_registry_names_the_contract_formats() -> None:
    assert set(formats.FORMATS) >= {"terminal", "json", "classroom", "gradescope", "junit"}
    assert formats.DEFAULT == "terminal"
    assert formats.load("json") is json_report
    assert formats.load("terminal") is terminal


def test_registry_unknown_format() -> None:
    with pytest.raises(formats.FormatUnavailable, match="format inconnu « xml »"):
        formats.load("xml")


def test_registry_missing_module_spares_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = dict(formats.FORMATS, absent="grader.formats.n_existe_pas")
    monkeypatch.setattr(formats, "FORMATS", MappingProxyType(registry))
    with pytest.raises(formats.FormatUnavailable, match="« absent » n'est pas disponible"):
        formats.load("absent")
    assert formats.load("json") is json_report


def test_registry_module_without_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sans_render", ModuleType("sans_render"))
    monkeypatch.setattr(formats, "FORMATS", MappingProxyType({"vide": "sans_render"}))
    with pytest.raises(formats.FormatUnavailable, match="render"):
        formats.load("vide")


@pytest.mark.parametrize("width", range(40, 72, 3))
def test_terminal_keeps_french_spaces_together(report: Report, width: int) -> None:
    hint = "Relisez « Les outils principaux » : gather ; puis « Les pièges classiques » ! " * 3
    exercise = report.exercises[0]
    failing = next(t for t in exercise.tests if t.status is Status.FAILED)
    test = dataclasses.replace(failing, hint=hint, message=hint)
    report = Report(
        exercises=(type(exercise)(id=exercise.id, title=exercise.title, tests=(test,)),)
    )
    text = terminal.render(report, color=False, width=width)
    assert "Relisez « Les outils principaux » : gather ;" in " ".join(text.split())
    for line in text.splitlines():
        assert not line.rstrip().endswith("«"), line
        assert not line.lstrip().startswith(("»", ":", ";", "!", "?")), line
    assert "\ue000" not in text
