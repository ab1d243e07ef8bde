"""The command line: options, exit status, one-line usage errors, outputs.

Most tests put a stand-in grading engine in place of grader.runner, so they
check the command line alone and never run an exercise; the last ones run
the real `python -m grader` in a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

import pytest

from grader import cli, formats
from grader.formats import json_report, terminal
from grader.metadata import load_catalogue
from grader.results import Report

# The default assignment's: what `python -m grader` grades without --assignment or --only.
EXERCISE_IDS = load_catalogue().default.exercises
ROOT = Path(__file__).resolve().parent.parent


class FakeRunner:
    """Stands for grader.runner: records each call, returns a fixed report."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.calls: list[dict[str, Any]] = []
        self.modules_required: list[bool] = []

    def grade(
        self,
        target: Path,
        only: Sequence[str] | None = None,
        *,
        jobs: int | None = None,
        public_only: bool = False,
        sandbox: object = None,
        catalogue: object = None,
        modules_required: bool = True,
    ) -> Report:
        self.calls.append(
            {"target": target, "only": only, "jobs": jobs, "public_only": public_only}
        )
        self.modules_required.append(modules_required)
        return self.report


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, report: Report) -> FakeRunner:
    fake = FakeRunner(report)
    module = ModuleType("grader.runner")
    module.grade = fake.grade  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "grader.runner", module)
    return fake


@pytest.fixture
def target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A student's folder holding one exercise module; the working directory is its parent."""
    folder = tmp_path / "copie"
    folder.mkdir()
    (folder / f"{EXERCISE_IDS[0]}.py").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return folder


def run_cli(
    argv: list[str], capsys: pytest.CaptureFixture[str], environ: Mapping[str, str] | None = None
) -> tuple[int, str, str]:
    code = cli.main(argv, environ={} if environ is None else environ)
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- grading


def test_terminal_report_by_default(
    runner: FakeRunner, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["--target", "copie"], capsys)
    assert code == 0 and err == ""
    # Captured output is not a terminal: plain text, exactly the format's.
    assert out == terminal.render(runner.report, color=False)
    assert runner.calls == [
        {"target": Path("copie"), "only": None, "jobs": None, "public_only": False}
    ]


def test_default_target_is_exercises(
    runner: FakeRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / f"{EXERCISE_IDS[-1]}.py").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, _ = run_cli([], capsys)
    assert code == 0
    assert runner.calls[0]["target"] == Path("exercises")


def test_json_to_stdout(
    runner: FakeRunner, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["--target", "copie", "--format", "json"], capsys)
    assert code == 0 and err == ""
    assert json.loads(out) == runner.report.to_dict()
    assert out == json_report.render(runner.report, color=False)


def test_output_file(runner: FakeRunner, target: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        ["--target", "copie", "--format", "json", "--output", "rapport.json"], capsys
    )
    assert code == 0 and out == ""
    written = (target.parent / "rapport.json").read_text(encoding="utf-8")
    assert json.loads(written) == runner.report.to_dict()


def test_output_file_terminal_has_no_colour(
    runner: FakeRunner, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run_cli(["--target", "copie", "--output", "rapport.txt"], capsys)
    assert code == 0
    assert "\x1b[" not in (target.parent / "rapport.txt").read_text(encoding="utf-8")


def test_only_jobs_public_only_reach_the_engine(
    runner: FakeRunner, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    only = f"{EXERCISE_IDS[1]}, {EXERCISE_IDS[0]},{EXERCISE_IDS[1]}"
    code, _, _ = run_cli(
        ["--target", "copie", "--only", only, "--jobs", "3", "--public-only"], capsys
    )
    assert code == 0
    assert runner.calls == [
        {
            "target": Path("copie"),
            "only": [EXERCISE_IDS[1], EXERCISE_IDS[0]],
            "jobs": 3,
            "public_only": True,
        }
    ]


@pytest.mark.parametrize(("minimum", "expected"), [("22", 0), ("0", 0), ("22.5", 1), ("100", 1)])
def test_min_score(
    runner: FakeRunner,
    target: Path,
    capsys: pytest.CaptureFixture[str],
    minimum: str,
    expected: int,
) -> None:
    # The sample report scores 22/60.
    code, out, err = run_cli(["--target", "copie", "--min-score", minimum], capsys)
    assert code == expected
    assert "Note : 22/60" in out
    if expected:
        assert err.count("\n") == 1 and "22/60" in err and "minimum" in err
    else:
        assert err == ""


def test_score_never_changes_exit_status_without_min_score(
    monkeypatch: pytest.MonkeyPatch, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeRunner(Report(exercises=()))
    module = ModuleType("grader.runner")
    module.grade = fake.grade  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "grader.runner", module)
    code, out, _ = run_cli(["--target", "copie"], capsys)
    assert code == 0 and "Note : 0/0" in out


def test_timing_file(
    monkeypatch: pytest.MonkeyPatch,
    target: Path,
    report: Report,
    capsys: pytest.CaptureFixture[str],
) -> None:
    timing = {EXERCISE_IDS[0]: {"real": 0.25, "virtual": 42.0}}
    fake = FakeRunner(Report(exercises=report.exercises, extra={"timing": timing}))
    module = ModuleType("grader.runner")
    module.grade = fake.grade  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "grader.runner", module)
    code, out, _ = run_cli(
        ["--target", "copie", "--format", "json", "--timing", "temps.json"], capsys
    )
    assert code == 0
    assert json.loads((target.parent / "temps.json").read_text(encoding="utf-8")) == timing
    # The report itself stays exactly the contract's.
    assert "timing" not in json.loads(out)


def test_publish_gets_the_report_and_environment(
    runner: FakeRunner,
    target: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    published: list[tuple[Report, Mapping[str, str]]] = []
    module = ModuleType("format_essai")
    module.render = lambda report, *, color: "rendu\n"  # type: ignore[attr-defined]
    module.publish = lambda report, environ: published.append((report, environ))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "format_essai", module)
    monkeypatch.setattr(
        formats, "FORMATS", MappingProxyType(dict(formats.FORMATS, terminal="format_essai"))
    )
    environ = {"GITHUB_OUTPUT": "/tmp/sortie"}
    code, out, _ = run_cli(["--target", "copie"], capsys, environ)
    assert code == 0 and out == "rendu\n"
    assert published == [(runner.report, environ)]


# ---------------------------------------------------------------- colour


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("argv", "environ", "tty", "expected"),
    [
        ([], {}, True, True),
        ([], {}, False, False),
        (["--no-color"], {}, True, False),
        ([], {"NO_COLOR": "1"}, True, False),
        ([], {"NO_COLOR": ""}, True, True),
        ([], {"CI": "true"}, True, False),
        (["--output", "r.txt"], {}, True, False),
    ],
)
def test_colour_decision(
    argv: list[str], environ: dict[str, str], tty: bool, expected: bool
) -> None:
    args = cli.build_parser().parse_args(argv)
    assert cli.use_color(args, environ, Stream(tty)) is expected


# ---------------------------------------------------------------- usage errors


def usage_cases() -> list[tuple[list[str], str]]:
    return [
        (["--target", "nulle_part"], "« nulle_part » n'existe pas"),
        (["--target", "vide"], "ne contient aucun module d'exercice"),
        (["--target", "copie/fichier.txt"], "n'est pas un dossier"),
        (["--target", "copie", "--only", "ex9_inconnu"], "exercice inconnu : ex9_inconnu"),
        (["--target", "copie", "--only", ","], "--only attend au moins un nom"),
        (["--target", "copie", "--assignment", "aucun"], "devoir inconnu : aucun ; devoirs"),
        (
            ["--target", "copie", "--assignment", "fin-de-chapitre", "--only", "ex9_inconnu"],
            "exercice inconnu dans le devoir fin-de-chapitre : ex9_inconnu",
        ),
        # copie/ holds ex1 only: asking for another exercise alone grades nothing.
        (
            ["--target", "copie", "--only", "ex2_telechargeur"],
            "ne contient aucun module d'exercice (attendus : ex2_telechargeur.py)",
        ),
        (
            ["--target", "copie", "--format", "xml"],
            "valeur invalide pour --format ; valeurs possibles : terminal, json, classroom",
        ),
        # Each option's own choices, not the formats'.
        (
            ["--target", "copie", "--sandbox", "bof"],
            "valeur invalide pour --sandbox ; valeurs possibles : auto, require, off",
        ),
        (["--target", "copie", "--min-score", "beaucoup"], "--min-score"),
        (["--target", "copie", "--min-score", "-1"], "--min-score"),
        (["--target", "copie", "--jobs", "0"], "--jobs"),
        (["--target", "copie", "--jobs", "deux"], "--jobs"),
        (["--target"], "--target attend une valeur"),
        (["--inconnue"], "option inconnue : --inconnue"),
        (["--target", "copie", "en_trop"], "option inconnue : en_trop"),
        (["--submissions", "copie"], "--submissions et --csv vont ensemble"),
        (["--csv", "notes.csv"], "--submissions et --csv vont ensemble"),
        (["--submissions", "absent", "--csv", "notes.csv"], "« absent » n'existe pas"),
        (
            ["--submissions", "copie", "--csv", "n.csv", "--format", "json", "--min-score", "5"],
            "ne se combine pas avec --format, --min-score",
        ),
        (["--target", "copie", "--output", "dossier_absent/r.txt"], "impossible d'écrire"),
        (["--target", "copie", "--timing", "copie"], "c'est un dossier"),
        (["--target", "copie", "--reports", "rapports"], "--reports va avec --submissions"),
        (["--target", "copie", "--html", "classe.html"], "--html va avec --submissions"),
        (["--target", "copie", "--excel"], "--excel va avec --submissions"),
        (["--target", "copie", "--roster", "roster.csv"], "--roster va avec --submissions"),
    ]


@pytest.mark.parametrize(("argv", "expected"), usage_cases())
def test_usage_error_is_one_line(
    runner: FakeRunner,
    target: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    expected: str,
) -> None:
    (target.parent / "vide").mkdir()
    (target / "fichier.txt").write_text("", encoding="utf-8")
    code, _, err = run_cli(argv, capsys)
    assert code == 2
    assert err.startswith("python -m grader : erreur : ")
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert expected in err
    assert "Traceback" not in err and "usage" not in err


def test_unknown_exercise_lists_the_known_ones(
    runner: FakeRunner, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(["--target", "copie", "--only", "ex2,ex3"], capsys)
    assert code == 2
    assert "exercices inconnus : ex2, ex3" in err
    assert all(name in err for name in EXERCISE_IDS)
    assert runner.calls == []


def test_an_assignment_grades_its_exercises_in_its_order(
    runner: FakeRunner, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalogue = load_catalogue()
    for assignment in catalogue.assignments:
        (target / f"{assignment.exercises[0]}.py").write_text("", encoding="utf-8")
        code, _, err = run_cli(["--target", "copie", "--assignment", assignment.id], capsys)
        assert code == 0, err
        assert runner.calls[-1]["only"] == list(assignment.exercises)
    # Without --assignment nor --only: the default one, the five exercises of the contract.
    run_cli(["--target", "copie"], capsys)
    assert runner.calls[-1]["only"] is None
    assert catalogue.default.exercises == (
        "ex1_sync_vs_async",
        "ex2_telechargeur",
        "ex3_timeouts",
        "ex4_pipeline",
        "ex5_moniteur",
    )


@pytest.mark.parametrize("fmt", ["classroom", "gradescope"])
def test_a_platform_grades_a_folder_without_any_module(
    runner: FakeRunner, target: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    # A student who deleted every module gets 0 with the reason, not no grade at all.
    (target.parent / "vide").mkdir()
    code, _, err = run_cli(["--target", "vide", "--format", fmt, "--sandbox", "off"], capsys)
    assert code == 0, err
    assert runner.modules_required == [False]
    # Elsewhere it stays a usage error (see usage_cases).
    assert run_cli(["--target", "vide"], capsys)[0] == 2


def test_usage_errors_come_before_grading(
    runner: FakeRunner, target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (target.parent / "vide").mkdir()
    for argv, _ in usage_cases():
        assert run_cli(argv, capsys)[0] == 2
    assert runner.calls == []


def test_unavailable_format_is_a_usage_error(
    runner: FakeRunner,
    target: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(
        formats,
        "FORMATS",
        MappingProxyType(dict(formats.FORMATS, junit="grader.formats.n_existe_pas")),
    )
    code, _, err = run_cli(["--target", "copie", "--format", "junit"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "« junit » n'est pas disponible" in err
    assert runner.calls == []


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    for option in ("--target", "--only", "--format", "--output", "--min-score", "--submissions"):
        assert option in out


# ---------------------------------------------------------------- a whole class


@pytest.fixture
def batch(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def grade_class(
        submissions: Path,
        csv_path: Path,
        *,
        only: Sequence[str] | None,
        jobs: int | None,
        sandbox: object = None,
        reports: Path | None = None,
        assignment: str | None = None,
        html: Path | None = None,
        excel: bool = False,
        roster: Path | None = None,
        shard: object = None,
        rows_path: Path | None = None,
    ) -> int:
        calls.append(
            {
                "submissions": submissions,
                "csv": csv_path,
                "only": only,
                "jobs": jobs,
                "reports": reports,
                "roster": roster,
            }
        )
        return 3

    module = ModuleType("grader.tools.batch")
    module.grade_class = grade_class  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "grader.tools.batch", module)
    return calls


def test_submissions_delegate_to_batch(
    batch: list[dict[str, Any]], target: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run_cli(
        [
            *("--submissions", "copie", "--csv", "notes.csv", "--only", EXERCISE_IDS[0]),
            *("--jobs", "2", "--roster", "roster.csv"),
        ],
        capsys,
    )
    # The batch's own exit status is the command's.
    assert code == 3
    assert batch == [
        {
            "submissions": Path("copie"),
            "csv": Path("notes.csv"),
            "only": [EXERCISE_IDS[0]],
            "jobs": 2,
            "reports": None,
            "roster": Path("roster.csv"),
        }
    ]


def test_submissions_without_batch_module(
    target: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # None in sys.modules makes the import fail, as if batch.py were absent.
    monkeypatch.setitem(sys.modules, "grader.tools.batch", None)
    code, _, err = run_cli(["--submissions", "copie", "--csv", "notes.csv"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "correction d'une classe n'est pas disponible" in err


# ---------------------------------------------------------------- the real command


def python_m_grader(
    *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_real_usage_error_is_one_line() -> None:
    done = python_m_grader("--target", "nulle_part")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "python -m grader : erreur : le dossier « nulle_part » n'existe pas\n"


def test_real_unknown_format_is_one_line() -> None:
    done = python_m_grader("--format", "pdf")
    assert done.returncode == 2 and done.stderr.count("\n") == 1


def test_real_grade_of_the_stubs_is_zero() -> None:
    # The stubs raise NotImplementedError everywhere: a sound grader gives 0.
    done = python_m_grader("--target", "exercises", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert list(report) == ["score", "max_score", "exercises"]
    assert report["score"] == 0.0
    assert [e["id"] for e in report["exercises"]] == list(EXERCISE_IDS)
    statuses = {t["status"] for e in report["exercises"] for t in e["tests"]}
    assert statuses <= {"passed", "failed", "error", "timeout"}


def test_real_grade_under_a_long_tmpdir(tmp_path: Path) -> None:
    # A Unix socket's path holds 107 bytes at most: the executor server's
    # must still find room when TMPDIR is long (pytest's, some CI runners').
    long = tmp_path / ("d" * 60) / ("e" * 40)
    long.mkdir(parents=True)
    env = {**os.environ, "TMPDIR": str(long)}
    done = python_m_grader(
        "--target", "solutions", "--only", "ex1_sync_vs_async", "--format", "json", env=env
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 20
    assert list(long.iterdir()) == []


def test_the_bench_refuses_bad_input_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from grader.tools import bench

    assert bench.main(["--runs", "x"]) == 2
    err = capsys.readouterr().err
    assert err == "python -m grader.tools.bench : erreur : --runs attend un nombre, pas 'x'\n"
