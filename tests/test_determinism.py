"""The same submission gets the same report on every run, even with both cores busy.

`GRADER_DETERMINISM_RUNS` sets how many grades are compared (5 by default, 2
for the copy with an endless loop, which costs a real-time limit each time;
`nox -s soak` runs 50 of each, as the acceptance check asks).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from grader.results import Report

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "submissions"
RUNS = int(os.environ.get("GRADER_DETERMINISM_RUNS", "5"))
LOOP_RUNS = int(os.environ.get("GRADER_DETERMINISM_RUNS", "2"))


@pytest.fixture
def partial_submission(tmp_path: Path) -> Path:
    """One plausible mistake per exercise, where the kit has one; the solution elsewhere."""
    folder = tmp_path / "copie"
    folder.mkdir()
    for solution in sorted((ROOT / "solutions").glob("ex*.py")):
        exercise = solution.stem
        source = solution
        cases_file = CASES / exercise / "cases.toml"
        if cases_file.is_file():
            cases = tomllib.loads(cases_file.read_text(encoding="utf-8"))
            wrong = next((name for name, spec in cases.items() if spec.get("fails")), None)
            if wrong is not None:
                source = CASES / exercise / wrong / f"{exercise}.py"
        shutil.copy(source, folder / f"{exercise}.py")
    return folder


@pytest.fixture
def troubled_submission(tmp_path: Path) -> Path:
    """An endless loop in ex2, a point of attention in ex1 and in ex3, the solution elsewhere."""
    folder = tmp_path / "copie"
    shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    for exercise, case in (
        ("ex1_sync_vs_async", "time_sleep"),
        ("ex2_telechargeur", "boucle_sans_fin"),
        ("ex3_timeouts", "attente_active"),
    ):
        shutil.copy(CASES / exercise / case / f"{exercise}.py", folder / f"{exercise}.py")
    return folder


@pytest.fixture
def busy_cores() -> Iterator[None]:
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(os.cpu_count() or 2)
    ]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


@pytest.mark.timeout(600)
def test_same_report_every_time_under_load(
    partial_submission: Path, busy_cores: None, grade: Callable[..., Report]
) -> None:
    reports = {
        json.dumps(grade(partial_submission).to_dict(), sort_keys=True, ensure_ascii=False)
        for _ in range(RUNS)
    }
    assert len(reports) == 1
    report = json.loads(reports.pop())
    assert 0 < report["score"] < 100


@pytest.mark.timeout(600)
def test_same_report_with_an_endless_loop_and_diagnostics(
    troubled_submission: Path, busy_cores: None, grade: Callable[..., Report]
) -> None:
    # Where a stack dump falls in the loop, and which thread reports a
    # diagnostic first, must not show in the report.
    reports = {
        json.dumps(grade(troubled_submission).to_dict(), sort_keys=True, ensure_ascii=False)
        for _ in range(LOOP_RUNS)
    }
    assert len(reports) == 1
    report = json.loads(reports.pop())
    statuses = {t["status"] for e in report["exercises"] for t in e["tests"]}
    assert "timeout" in statuses
    noted = {e["id"] for e in report["exercises"] if e["diagnostics"]}
    assert {"ex1_sync_vs_async", "ex2_telechargeur", "ex3_timeouts"} <= noted


def test_tasks_left_running_are_listed_in_the_order_they_were_made(
    grade: Callable[..., Report],
) -> None:
    # asyncio.all_tasks is a weak set: its order follows memory addresses, and
    # a report listing it as it comes differs from one run to the next.
    import re

    folder = CASES / "ex3_timeouts" / "wait_sans_annuler"
    [exercise] = grade(folder, only=["ex3_timeouts"]).exercises
    left = next(t for t in exercise.tests if t.id == "aucune_tache_restante")
    numbers = [int(n) for n in re.findall(r"Task-(\d+)", left.message)]
    assert len(numbers) >= 3, left.message
    assert numbers == sorted(numbers), left.message


def test_hypothesis_draws_no_literal_from_the_kit_s_own_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Hypothesis may draw literals found in "local" modules, the grader's own
    # among them: a reworded message would change every test's inputs. The
    # judge's profile empties that pool; a Hypothesis that renamed the
    # private function it replaces must fail here, not change grades quietly.
    providers = pytest.importorskip("hypothesis.internal.conjecture.providers")
    if not hasattr(providers, "_local_constants"):
        pytest.skip("this Hypothesis draws no literal from local modules")
    from hypothesis import settings

    from grader.judge import plugin

    # Put back, for the other tests of this process, when the test ends.
    monkeypatch.setattr(providers, "_get_local_constants", providers._get_local_constants)
    before = settings.get_current_profile_name()
    try:
        plugin.hypothesis_profile()
        import grader.judge.explain  # a module full of French literals  # noqa: F401

        assert len(providers._get_local_constants()) == 0
    finally:
        settings.load_profile(before)


DRAWS_TEST = """
import json, os
from hypothesis import given, strategies as st


@st.composite
def cas(draw):
    n = draw(st.integers(min_value=1, max_value=7))
    noms = draw(st.lists(st.text(min_size=1, max_size=8), min_size=n, max_size=n, unique=True))
    return noms, draw(st.lists(st.floats(0.1, 5.0), min_size=n, max_size=n))


@given(cas(), st.integers(3, 45))
def test_draws(cas, timeout):
    with open(os.environ["DRAWS"], "a", encoding="utf-8") as out:
        out.write(json.dumps([cas, timeout]) + "\\n")
"""

DRAWS_RUN = """
import os, sys
import pytest
from grader.judge import main, plugin
if sys.argv[2] == "warm":
    main.warm_up()
plugin.hypothesis_profile()
os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
sys.exit(pytest.main([sys.argv[1], "-p", "no:cacheprovider", *main.PLUGINS, *main.OPTIONS]))
"""


def test_the_judges_warm_up_does_not_change_what_a_test_draws(tmp_path: Path) -> None:
    # The judges' fork server runs a warm-up session of pytest and Hypothesis
    # before it forks any judge; a judge started as `python -m grader.judge`
    # (no fork, as on Windows) has run none. Both must draw the same inputs.
    test = tmp_path / "test_draws.py"
    test.write_text(DRAWS_TEST, encoding="utf-8")
    draws = {}
    for how in ("fresh", "warm"):
        out = tmp_path / f"{how}.jsonl"
        done = subprocess.run(
            [sys.executable, "-c", DRAWS_RUN, str(test), how],
            cwd=tmp_path,
            env={**os.environ, "DRAWS": str(out)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        draws[how] = out.read_text(encoding="utf-8").splitlines()
    assert len(draws["fresh"]) >= 10
    assert draws["warm"] == draws["fresh"]
