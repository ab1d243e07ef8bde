"""The formats for other platforms: GitHub Classroom, Gradescope, JUnit XML.

Each is checked on hand-made reports (every status, hidden tests,
diagnostics, a missing module) against what the platform reads, as its
documentation and its reporter's source describe it.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st

from grader import formats
from grader.formats import classroom, gradescope, junit, words
from grader.results import Diagnostic, ExerciseResult, Report, Status, TestResult

# A test's message quoting a flood of student output, with what breaks naive
# formats: control characters, backticks, Markdown and XML specials.
NOISY_OUTPUT = "\x1b[31mrouge\x1b[0m \x00 ``` | <b>gras</b> & *etoile* " + "x" * 5000


def noisy_report() -> Report:
    exercise = ExerciseResult(
        id="ex2_telechargeur",
        title="Téléchargeur concurrent avec progression",
        tests=(
            TestResult(
                id="bavard",
                title="un test dont le message cite la sortie de l'élève",
                hidden=False,
                status=Status.FAILED,
                score=0.0,
                max_score=2.5,
                message=f"telecharger_tout() a affiché : {NOISY_OUTPUT}",
                hint="« Les outils principaux ».",
            ),
            TestResult(
                id="ok",
                title="un test réussi",
                hidden=True,
                status=Status.PASSED,
                score=1.5,
                max_score=1.5,
            ),
        ),
        diagnostics=(
            Diagnostic(
                kind="blocking-call", file="ex2_telechargeur.py", line=7, message=NOISY_OUTPUT
            ),
        ),
    )
    return Report(exercises=(exercise,), target="copie")


def every_test(report: Report) -> list[tuple[ExerciseResult, TestResult]]:
    return [(e, t) for e in report.exercises for t in e.tests]


def first_entries(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each test's first entry in a Classroom payload (a test is one entry per point unit)."""
    return [t for t in data["tests"] if not re.search(r" \[([2-9]|\d\d+)/\d+\]$", t["name"])]


# ---------------------------------------------------------------- registry


@pytest.mark.parametrize("name", ["classroom", "gradescope", "junit"])
def test_formats_are_registered(name: str, report: Report) -> None:
    module = formats.load(name)
    assert isinstance(module.render(report, color=False), str)
    assert module.render(report, color=True) == module.render(report, color=False)


# ---------------------------------------------------------------- Classroom


def test_classroom_payload_is_what_the_reporter_reads(report: Report) -> None:
    data = classroom.payload(report)
    assert data["version"] == 1
    assert data["status"] == "fail"
    assert data["max_score"] == 60 and isinstance(data["max_score"], int)
    entries = first_entries(data)
    assert len(entries) == len(every_test(report))
    for entry, (_, test) in zip(entries, every_test(report), strict=True):
        assert {"name", "status", "score", "message", "line_no", "duration"} <= set(entry)
        # The reporter prints "line <line_no>" unless it is 0, and "line undefined"
        # when it is missing.
        assert entry["line_no"] == 0
        # It prints test_code when there is some: hidden tests must never show there.
        assert entry["test_code"] == ""
        if test.status is Status.PASSED:
            assert entry["status"] == "pass"
            assert entry["score"] > 0
        else:
            # The reporter sums every test's score, passed or not.
            assert entry["score"] == 0
            # "error" would be printed as a bare "Error:" line, without the name.
            assert entry["status"] == "fail"
            assert test.message.strip()[:40] in entry["message"]
    # What Classroom records: the sum of the scores over max_score.
    assert sum(t["score"] for t in data["tests"]) == report.score == 22
    statuses = {t["name"].partition(" [")[0]: t["status"] for t in data["tests"]}
    assert statuses["ex2_telechargeur — telecharger_tout se termine"] == "fail"
    assert any(name.endswith("(test caché)") for name in statuses)


def test_classroom_encode_is_one_line_of_base64(report: Report) -> None:
    encoded = classroom.encode(report)
    assert "\n" not in encoded
    decoded = json.loads(base64.b64decode(encoded).decode("utf-8"))
    assert decoded == classroom.payload(report)
    assert classroom.decode(encoded) == decoded
    # Compact JSON, as the reporter's documentation asks.
    assert ", " not in base64.b64decode(encoded).decode("utf-8").split('"tests"')[0]


def test_classroom_status_pass_and_error() -> None:
    passed = ExerciseResult(
        id="ex1_sync_vs_async",
        title="Synchrone contre asynchrone",
        tests=(TestResult("a", "A", False, Status.PASSED, 20.0, 20.0),),
    )
    assert classroom.payload(Report(exercises=(passed,)))["status"] == "pass"
    assert classroom.payload(Report(exercises=()))["status"] == "error"


def test_classroom_messages_are_cut_and_carry_diagnostics() -> None:
    report = noisy_report()
    data = classroom.payload(report)
    failed, passed = first_entries(data)
    first_line = failed["message"].splitlines()[0]
    assert len(first_line) <= words.MAX_MESSAGE_CHARS
    assert first_line.endswith("…")
    assert len(failed["message"]) < 1200
    assert "Piste : « Les outils principaux »." in failed["message"]
    assert "appel bloquant (ex2_telechargeur.py:7)" in failed["message"]
    # Diagnostics go with the failed test and the first one, not every test.
    assert "appel bloquant" not in passed["message"]
    assert failed["score"] == 0 and passed["score"] == 0.5
    assert sum(t["score"] for t in data["tests"]) == 1.5
    assert data["max_score"] == 4


def test_classroom_publish_writes_github_files(report: Report, tmp_path: Path) -> None:
    output = tmp_path / "output"
    summary = tmp_path / "summary.md"
    output.write_text("autre=1\n", encoding="utf-8")  # another step's output stays
    environ = {"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    classroom.publish(report, environ)
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "autre=1"
    key, _, value = lines[1].partition("=")
    assert key == "result"
    assert classroom.decode(value) == classroom.payload(report)
    text = summary.read_text(encoding="utf-8")
    assert "Correction automatique : 22/60" in text
    assert "| ex1\\_sync\\_vs\\_async — Synchrone contre asynchrone | 14/20 |" in text
    assert "ex1\\_sync\\_vs\\_async.py:42" in text
    assert "*(test caché)*" in text


def test_classroom_publish_without_github_does_nothing(report: Report, tmp_path: Path) -> None:
    classroom.publish(report, {})
    assert list(tmp_path.iterdir()) == []


def test_classroom_publish_reports_an_unwritable_file(
    report: Report, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    classroom.publish(report, {"GITHUB_OUTPUT": str(tmp_path / "absent" / "output")})
    assert "impossible d'écrire" in capsys.readouterr().err


def test_classroom_summary_markdown_is_safe() -> None:
    text = classroom.summary_markdown(noisy_report())
    # The student's three backticks cannot close the fence around the message.
    fences = [line.strip() for line in text.splitlines() if line.strip().startswith("```")]
    assert fences == ["````text", "````"]
    # Outside the fence, the student's text is escaped: no HTML, no emphasis.
    outside = text.split("````text")[0] + text.split("````")[-1]
    assert "<b>" not in outside and "\\<b\\>" in outside
    assert "\\*etoile\\*" in outside


def test_classroom_render_is_a_short_log(report: Report) -> None:
    text = classroom.render(report)
    assert text.splitlines()[0] == (
        "Correction automatique : 22/60 (tests publics et tests cachés)"
    )
    assert "::warning" not in text
    assert "✗ run_async dure 3 s (le maximum, pas la somme) : 0/6 — échoué" in text
    assert "Piste : Relisez « Les outils principaux »" in text
    assert "⚠ appel bloquant (ex1_sync_vs_async.py:42)" in text
    assert "La version asynchrone attend les trois réponses en même temps." in text


def test_classroom_render_warns_when_hidden_tests_are_missing(report: Report) -> None:
    public_only = dataclasses.replace(report, public_only=True)
    text = classroom.render(public_only)
    assert "(tests publics seulement)" in text.splitlines()[0]
    assert any(line.startswith("::warning ") for line in text.splitlines())
    summary = classroom.summary_markdown(public_only)
    assert "ne compte que les tests publics" in summary


# ---------------------------------------------------------------- Gradescope


def test_gradescope_results_json(report: Report) -> None:
    data = json.loads(gradescope.render(report))
    assert data["score"] == 22
    assert isinstance(data["execution_time"], int | float)
    assert data["stdout_visibility"] == "hidden"
    # Hidden tests are part of the grade: the total waits for publication.
    assert data["visibility"] == "after_published"
    assert "Note : 22/60" in data["output"]
    assert "La version asynchrone" in data["output"]
    assert len(data["tests"]) == len(every_test(report))
    for entry, (exercise, test) in zip(data["tests"], every_test(report), strict=True):
        assert set(entry) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert entry["max_score"] == test.max_score
        if test.status is Status.PASSED:
            assert entry["status"] == "passed" and entry["score"] == test.max_score
        else:
            assert entry["status"] == "failed" and entry["score"] == 0
            assert test.message.strip()[:40] in entry["output"]
        assert entry["visibility"] == ("after_published" if test.hidden else "visible")
        assert exercise.id in entry["name"]
    assert sum(t["score"] for t in data["tests"]) == data["score"]
    blocking = data["tests"][1]["output"]
    assert "appel bloquant (ex1_sync_vs_async.py:42)" in blocking


def test_gradescope_without_hidden_tests_is_visible() -> None:
    report = Report(
        exercises=(
            ExerciseResult(
                id="ex1_sync_vs_async",
                title="Synchrone contre asynchrone",
                tests=(TestResult("a", "A", False, Status.PASSED, 20.0, 20.0),),
            ),
        ),
        public_only=True,
    )
    data = json.loads(gradescope.render(report))
    assert data["visibility"] == "visible"
    assert "ne compte que les tests publics" in data["output"]


def test_gradescope_cuts_student_output() -> None:
    data = gradescope.results(noisy_report())
    assert len(data["tests"][0]["output"]) < 1200
    assert data["score"] == 1.5


# ---------------------------------------------------------------- JUnit


def parse_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))


def test_junit_is_valid_xml_with_one_case_per_test(report: Report) -> None:
    root = parse_junit(junit.render(report))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [e.id for e in report.exercises]
    assert root.get("tests") == str(len(every_test(report)))
    assert root.get("failures") == "1" and root.get("errors") == "3"
    for suite, exercise in zip(suites, report.exercises, strict=True):
        cases = suite.findall("testcase")
        assert len(cases) == len(exercise.tests) == int(suite.get("tests", "-1"))
        properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert properties["score"] == words.points(exercise.score)
        assert properties["max_score"] == words.points(exercise.max_score)
        for case, test in zip(cases, exercise.tests, strict=True):
            assert case.get("classname") == exercise.id
            assert case.get("file") == f"{report.target}/{exercise.id}.py"
            assert test.title in (case.get("name") or "")
            failure, error = case.find("failure"), case.find("error")
            if test.status is Status.PASSED:
                assert failure is None and error is None
            elif test.status is Status.FAILED:
                assert failure is not None and error is None
                assert test.message in (failure.text or "")
                assert test.hint in (failure.text or "")
            else:
                assert error is not None and failure is None
                assert error.get("type") == test.status.value
                assert test.message in (error.text or "")


def test_junit_system_out_holds_diagnostics(report: Report) -> None:
    root = parse_junit(junit.render(report))
    outs = {s.get("name"): s.findtext("system-out") or "" for s in root.findall("testsuite")}
    assert "appel bloquant (ex1_sync_vs_async.py:42)" in outs["ex1_sync_vs_async"]
    assert "[EN LIGNE] toutes les tâches attendent" in outs["ex2_telechargeur"]
    assert "introuvable" in outs["ex3_timeouts"]


def test_junit_survives_control_characters() -> None:
    text = junit.render(noisy_report())
    root = parse_junit(text)
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert "<b>gras</b> & *etoile*" in (failure.text or "")
    assert "\x1b" not in text and "\x00" not in text


def test_junit_empty_report() -> None:
    root = parse_junit(junit.render(Report(exercises=())))
    assert root.get("tests") == "0" and root.findall("testsuite") == []


# ---------------------------------------------------------------- messages that must be shortened

# A message as the suites write it: the call with its generated inputs, what
# came back and what was expected, then why, and a blocking call's note.
LONG_MESSAGE = (
    "interroger_tous({'lent': 2.6, 'moyen': 1.3, 'muet': None, 'eclair': 0.2, 'tardif': 1.9, "
    "'tortue': 4.1, 'escargot': 7.5, 'fusee': 0.1}, 1.5) a renvoyé (['lent', 'moyen', 'eclair', "
    "'tardif', 'tortue', 'escargot', 'fusee'], ['muet']) ; attendu (['moyen', 'eclair', 'fusee'], "
    "['lent', 'muet', 'tardif', 'tortue', 'escargot']) avec un timeout de 1.5 s : lent (répond en "
    "2.6 s) devait être dans en_timeout. Attention : un appel bloquant a figé tout le programme "
    "pendant 2.60 s (ex3_timeouts.py, ligne 20, dans interroger_serveur : time.sleep(delai)) ; "
    "dans une coroutine, time.sleep empêche les autres tâches d'avancer, et wait_for ne peut pas "
    "l'interrompre (voir « Les pièges classiques »)"
)


def test_a_long_message_loses_its_quoted_values_never_its_sentences() -> None:
    assert len(LONG_MESSAGE) > words.MAX_MESSAGE_CHARS
    fitted = words.fit(LONG_MESSAGE, words.MAX_MESSAGE_CHARS)
    assert len(fitted) <= words.MAX_MESSAGE_CHARS
    # Every sentence is there, to its last word; the inputs are cut short.
    assert fitted.endswith("l'interrompre (voir « Les pièges classiques »)")
    for sentence in ("a renvoyé", "; attendu", "avec un timeout de 1.5 s", "devait être dans"):
        assert sentence in fitted
    assert "interroger_tous({'lent': 2.6, 'moyen'" in fitted and "'escargot': 7.5" not in fitted
    assert "…" in fitted
    # What fits is left alone.
    assert (
        words.fit("a renvoyé [1, 2] ; attendu [2, 1]", 100) == "a renvoyé [1, 2] ; attendu [2, 1]"
    )


def test_each_format_shows_the_whole_sentence_of_a_long_message() -> None:
    report = noisy_report()
    exercise = dataclasses.replace(
        report.exercises[0],
        tests=(dataclasses.replace(report.exercises[0].tests[0], message=LONG_MESSAGE),),
        diagnostics=(),
    )
    report = dataclasses.replace(report, exercises=(exercise,))
    ending = "(voir « Les pièges classiques »)"
    assert ending in classroom.payload(report)["tests"][0]["message"]
    assert ending in classroom.summary_markdown(report)
    assert ending in gradescope.render(report)
    assert ending in junit.render(report)


# Words and values without brackets of their own: what the suites quote.
_PLAIN = st.text(st.characters(exclude_characters="()[]{}«»", codec="utf-8"), max_size=40)


@hypothesis.given(
    sentences=st.lists(_PLAIN, min_size=1, max_size=6),
    values=st.lists(st.lists(_PLAIN, max_size=30), min_size=1, max_size=6),
    limit=st.integers(60, 800),
)
def test_fit_keeps_the_sentences_whenever_the_quotes_can_make_room(
    sentences: list[str], values: list[list[str]], limit: int
) -> None:
    text = " ".join(
        f"{sentence} {value!r}" for sentence, value in zip(sentences, values, strict=False)
    )
    fitted = words.fit(text, limit)
    assert len(fitted) <= limit
    shortened = words.shorten_quotes(text, limit)
    if len(shortened) <= limit:
        # The sentences are all there, whole and in order.
        assert fitted == shortened
        at = 0
        for sentence in (s.strip() for s in sentences[: len(values)]):
            found = fitted.find(sentence, at)
            assert found >= 0, (sentence, fitted)
            at = found + len(sentence)
