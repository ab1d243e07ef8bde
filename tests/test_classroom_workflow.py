"""The GitHub Classroom workflow of the students' template.

Its shape is checked against what Classroom and its reporter expect, its
grading step is run here against a fake student checkout (the kit checked
out in `.kit`, as the workflow does), and a GitHub Actions linter checks the
file when one is installed, and the instructors' workflow too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grader.formats import classroom

ROOT = Path(__file__).resolve().parent.parent

WORKFLOW = ROOT / "template" / ".github" / "workflows" / "classroom.yml"


@dataclass
class Step:
    fields: dict[str, str] = field(default_factory=dict)
    maps: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.fields.get(key, "")


def _scalar(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def parse_steps(text: str) -> list[Step]:
    """The job's steps, read from the workflow's plain block layout.

    Enough YAML for this file's own layout (no YAML library is needed to run
    the kit's tests); a layout it cannot read fails the checks below.
    """
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "steps:")
    steps: list[Step] = []
    current_map: str | None = None
    item_indent: int | None = None
    for line in lines[start + 1 :]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        stripped = line.strip()
        if stripped.startswith("- "):
            if item_indent is None:
                item_indent = indent
            if indent == item_indent:
                steps.append(Step())
                stripped = stripped[2:]
                indent += 2
                current_map = None
        assert steps, f"ligne inattendue avant la première étape : {line}"
        key, _, value = stripped.partition(":")
        assert item_indent is not None
        if indent == item_indent + 2:
            if value.strip() in {"", "|"}:
                current_map = key
                steps[-1].maps[key] = {}
            else:
                steps[-1].fields[key] = _scalar(value)
                current_map = None
        elif current_map is not None:
            if current_map == "run":
                steps[-1].fields["run"] = steps[-1].fields.get("run", "") + stripped + "\n"
            else:
                steps[-1].maps[current_map][key.strip()] = _scalar(value)
    return steps


@pytest.fixture(scope="module")
def text() -> str:
    return WORKFLOW.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def steps(text: str) -> list[Step]:
    return parse_steps(text)


def step_using(steps: list[Step], action: str) -> list[Step]:
    return [s for s in steps if s.get("uses").split("@")[0] == action]


def grading_step(steps: list[Step]) -> Step:
    (step,) = [s for s in steps if s.get("id") == classroom.RUNNER_ID]
    return step


def kit_checkout(steps: list[Step]) -> Step:
    (step,) = [s for s in step_using(steps, "actions/checkout") if "repository" in s.maps["with"]]
    return step


# ---------------------------------------------------------------- shape


def test_triggers_and_job(text: str) -> None:
    assert re.search(r"^on:\n  push:", text, re.MULTILINE)
    # The reporter updates the check run named after this job.
    assert re.search(r"^  run-autograding-tests:$", text, re.MULTILINE)
    assert re.search(r"^  checks: write$", text, re.MULTILINE)
    assert re.search(r"^  actions: read$", text, re.MULTILINE)
    assert "github.actor != 'github-classroom[bot]'" in text


def test_checks_out_the_student_then_the_private_kit(steps: list[Step]) -> None:
    checkouts = step_using(steps, "actions/checkout")
    assert len(checkouts) == 2
    student, kit = checkouts
    assert "repository" not in student.maps.get("with", {})
    assert student.maps["with"]["persist-credentials"] == "false"
    assert steps.index(student) < steps.index(kit)
    options = kit.maps["with"]
    assert options["repository"] == "${{ vars.KIT_REPOSITORY }}"
    assert options["token"] == "${{ secrets.GRADER_TOKEN }}"
    assert options["path"] == ".kit"
    # The token must not stay on disk where the student's code runs.
    assert options["persist-credentials"] == "false"
    # Only the grader: no solutions/ on the machine where the student's code runs.
    assert options["sparse-checkout"] == "grader"


def test_installs_the_sandbox_and_requires_it(steps: list[Step]) -> None:
    installs = [s for s in steps if "apt-get install" in s.get("run")]
    assert len(installs) == 1 and "bubblewrap" in installs[0].get("run")
    assert "apparmor_restrict_unprivileged_userns=0" in installs[0].get("run")
    assert steps.index(installs[0]) < steps.index(grading_step(steps))
    assert grading_step(steps).get("run").rstrip().endswith("--sandbox require")


def test_refuses_to_grade_without_the_kit(steps: list[Step]) -> None:
    # Without KIT_REPOSITORY, checkout would fetch the student's own repository
    # as the "kit", and grade without hidden tests: the run must fail instead.
    first = steps[0]
    assert first.maps["env"]["KIT_REPOSITORY"] == "${{ vars.KIT_REPOSITORY }}"
    assert "exit 1" in first.get("run")


def test_sets_up_python_and_installs_the_kit(steps: list[Step]) -> None:
    (python,) = step_using(steps, "actions/setup-python")
    assert python.maps["with"]["python-version"] == "3.12"
    kit = kit_checkout(steps)
    installs = [s for s in steps if "pip install" in s.get("run")]
    assert len(installs) == 1
    assert installs[0].get("working-directory") == kit.maps["with"]["path"]
    assert steps.index(python) < steps.index(installs[0]) < steps.index(grading_step(steps))


def test_grades_with_the_kit_and_reports_to_classroom(steps: list[Step]) -> None:
    grader = grading_step(steps)
    # Run from the kit's checkout: its engine and hidden tests grade, never the
    # student's copy of grader/.
    assert grader.get("working-directory") == kit_checkout(steps).maps["with"]["path"]
    command = grader.get("run").splitlines()[-1]
    assert command.startswith("python -m grader ")
    assert '--target "$GITHUB_WORKSPACE/exercises"' in command
    assert "--format classroom" in command
    (reporter,) = step_using(steps, "classroom-resources/autograding-grading-reporter")
    assert reporter.get("uses").endswith("@v1")
    assert reporter.maps["with"]["runners"] == classroom.RUNNER_ID
    variable = f"{classroom.RUNNER_ID.upper()}_RESULTS"
    assert reporter.maps["env"] == {
        variable: f"${{{{ steps.{classroom.RUNNER_ID}.outputs.{classroom.OUTPUT_NAME} }}}}"
    }
    assert steps.index(grader) < steps.index(reporter)


# ---------------------------------------------------------------- the grading step, run here


def fake_checkout(workspace: Path) -> None:
    """A student's repository as the workflow sees it, with the kit in `.kit`."""
    exercises = workspace / "exercises"
    shutil.copytree(
        ROOT / "exercises", exercises, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    shutil.copyfile(ROOT / "solutions" / "ex2_telechargeur.py", exercises / "ex2_telechargeur.py")
    shutil.copyfile(
        ROOT / "tests" / "submissions" / "ex3_timeouts" / "sequentiel" / "ex3_timeouts.py",
        exercises / "ex3_timeouts.py",
    )
    # A student's own grader/ that would give everything: it must never be used.
    cheat = workspace / "grader"
    cheat.mkdir()
    (cheat / "__init__.py").write_text("", encoding="utf-8")
    (cheat / "__main__.py").write_text(
        "import os\n"
        "with open(os.environ['GITHUB_OUTPUT'], 'a') as f:\n"
        "    f.write('result=TRICHE\\n')\n",
        encoding="utf-8",
    )
    (workspace / ".kit").symlink_to(ROOT, target_is_directory=True)


def run_grading_step(
    steps: list[Step], tmp_path: Path, workspace: Path
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], dict[str, str]]:
    """The workflow's grading step run here: its process, the payload it published, its env."""
    # `python` on the PATH is this interpreter, as setup-python makes it.
    shims = tmp_path / "bin"
    shims.mkdir()
    shim = shims / "python"
    # A script, not a link: a virtualenv's python must be run by its own path.
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    output = tmp_path / "github_output"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "GITHUB_"))}
    env.update(
        PATH=f"{shims}{os.pathsep}{env.get('PATH', '')}",
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(tmp_path / "step_summary.md"),
        GITHUB_ACTIONS="true",
        CI="true",
    )
    step = grading_step(steps)
    done = subprocess.run(
        ["bash", "-e", "-c", step.get("run")],
        cwd=workspace / step.get("working-directory"),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = [
        line.partition("=")[2]
        for line in output.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"{classroom.OUTPUT_NAME}=")
    ]
    assert len(results) == 1 and results[0] != "TRICHE"
    return done, classroom.decode(results[0]), env


def test_a_checkout_without_exercises_is_graded_0_with_the_reason(
    steps: list[Step], tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    fake_checkout(workspace)
    shutil.rmtree(workspace / "exercises")
    _, payload, _ = run_grading_step(steps, tmp_path, workspace)
    assert payload["max_score"] == 100
    assert sum(t["score"] for t in payload["tests"]) == 0
    said = [t["message"] for t in payload["tests"] if t["message"]]
    assert said and all("introuvable" in message for message in said)


def test_grading_step_against_a_fake_checkout(steps: list[Step], tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    fake_checkout(workspace)
    done, payload, env = run_grading_step(steps, tmp_path, workspace)
    summary = tmp_path / "step_summary.md"
    assert done.stdout.startswith("Correction automatique : ")
    assert "tests publics et tests cachés" in done.stdout.splitlines()[0]

    # The same submission, graded by the kit's JSON report.
    reference = subprocess.run(
        [
            sys.executable,
            "-m",
            "grader",
            "--target",
            str(workspace / "exercises"),
            "--format",
            "json",
        ],
        cwd=ROOT,
        env={k: v for k, v in env.items() if not k.startswith("GITHUB_")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert reference.returncode == 0, reference.stderr
    report = json.loads(reference.stdout)

    # What Classroom records: the sum of every test's score out of max_score.
    assert sum(t["score"] for t in payload["tests"]) == report["score"]
    assert payload["max_score"] == report["max_score"]
    # One entry per point (every test's points are whole here), so that the
    # reporter's own count of passed entries is the points too.
    assert len(payload["tests"]) == report["max_score"]
    assert sum(t["status"] == "pass" for t in payload["tests"]) == report["score"]
    assert any(re.search(r"\(test caché\)( \[\d+/\d+\])?$", t["name"]) for t in payload["tests"])
    assert all(t["line_no"] == 0 for t in payload["tests"])
    assert all(t["score"] == 0 for t in payload["tests"] if t["status"] != "pass")
    assert payload["status"] == "fail"
    ex2 = next(e for e in report["exercises"] if e["id"] == "ex2_telechargeur")
    ex3 = next(e for e in report["exercises"] if e["id"] == "ex3_timeouts")
    assert ex2["score"] == ex2["max_score"]
    assert 0 < ex3["score"] < ex3["max_score"]

    markdown = summary.read_text(encoding="utf-8")
    assert markdown.startswith(f"## Correction automatique : {report['score']:g}/")


# ---------------------------------------------------------------- linter


def find_tool(name: str) -> str | None:
    # Installed with the `test` extra, next to this interpreter.
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (scripts / name, scripts / f"{name}.exe"):
        if candidate.is_file():
            return str(candidate)
    return shutil.which(name)


# The students' workflow, and the instructors' (`test_grade_class_workflow.py`).
LINTED = [WORKFLOW, ROOT / ".github" / "workflows" / "grade-class.yml"]


@pytest.mark.parametrize("workflow", LINTED, ids=lambda path: path.name)
def test_workflow_passes_a_github_actions_linter(workflow: Path) -> None:
    # zizmor installs from PyPI with its binary and runs offline; actionlint's
    # PyPI package downloads its binary at install time, which CI cannot do.
    zizmor = find_tool("zizmor")
    if zizmor is None:
        pytest.skip("zizmor n'est pas installé (extra `test` du kit) : workflow non vérifié")
    done = subprocess.run(
        [
            zizmor,
            "--offline",
            "--no-progress",
            "--config",
            str(Path(__file__).with_name("zizmor.yml")),
            str(workflow),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
