"""`nox -s gradescope`: the autograder zip, and its run_autograder on an upload laid out there."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.metadata import load_catalogue
from grader.tools import gradescope

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = load_catalogue().default

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(),
    reason="le zip part d'un dépôt git du kit, et git est absent ici",
)


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zip built, then unpacked where Gradescope puts it: `<root>/source`."""
    root = tmp_path_factory.mktemp("autograder")
    archive = root / "autograder.zip"
    # The working tree as it is, committed or not (the refusal is export's, tested there).
    assert gradescope.main([str(archive), "--allow-dirty"]) == 0
    with zipfile.ZipFile(archive) as unpacked:
        unpacked.extractall(root / "source")
        for info in unpacked.infolist():  # extractall forgets the modes
            os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    return root


def test_the_zip_holds_the_scripts_and_the_hidden_tests_but_no_answer(autograder: Path) -> None:
    source = autograder / "source"
    for script in ("setup.sh", "run_autograder"):
        assert os.access(source / script, os.X_OK), script
    for exercise in load_catalogue().ids:
        # The assignment's hidden tests, and no other assignment's files.
        inside = exercise in DEFAULT.exercises
        assert (source / "grader/suites/hidden" / f"test_{exercise}.py").is_file() is inside
        assert (source / "exercises" / f"{exercise}.py").is_file() is inside
    for absent in ("solutions", "tests", "docs", "template", ".ci"):
        assert not (source / absent).exists(), absent
    run_script = (source / "run_autograder").read_text(encoding="utf-8")
    assert f"--run --assignment {DEFAULT.id}" in run_script
    done = subprocess.run(["bash", "-n", str(source / "setup.sh")], check=False)
    assert done.returncode == 0


def test_the_same_kit_gives_the_same_zip(autograder: Path, tmp_path: Path) -> None:
    again = tmp_path / "encore.zip"
    gradescope.build(again, allow_dirty=True)
    assert again.read_bytes() == (autograder / "autograder.zip").read_bytes()


def run_autograder(autograder: Path, submission: dict[str, Path]) -> dict[str, object]:
    """run_autograder's command on `submission` (names in the upload -> files), its results.json."""
    shutil.rmtree(autograder / "submission", ignore_errors=True)
    shutil.rmtree(autograder / "results", ignore_errors=True)
    (autograder / "submission").mkdir()
    for name, path in submission.items():
        (autograder / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, autograder / "submission" / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "GITHUB_"))}
    env[gradescope.AUTOGRADER_ROOT] = str(autograder)
    command = ["-m", "grader.tools.gradescope", "--run", "--assignment", DEFAULT.id]
    done = subprocess.run(
        [sys.executable, *command],
        cwd=autograder / "source",  # the unpacked kit grades, as in the container
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((autograder / "results/results.json").read_text(encoding="utf-8"))
    assert isinstance(results, dict)
    return results


def test_a_whole_repository_of_solutions_gets_every_point(autograder: Path) -> None:
    sent = {f"exercises/{e}.py": ROOT / "solutions" / f"{e}.py" for e in DEFAULT.exercises}
    results = run_autograder(autograder, sent)
    tests = results["tests"]
    assert isinstance(tests, list)
    assert sum(t["score"] for t in tests) == sum(t["max_score"] for t in tests) == 100
    assert any(t["visibility"] == "after_published" for t in tests)  # the hidden tests ran


def test_modules_sent_alone_are_found_and_graded(autograder: Path) -> None:
    first = DEFAULT.exercises[0]
    results = run_autograder(autograder, {f"{first}.py": ROOT / "solutions" / f"{first}.py"})
    tests = results["tests"]
    assert isinstance(tests, list)
    graded = {t["extra_data"]["exercise"] for t in tests if t["score"] > 0}
    assert graded == {first}


def test_an_upload_without_any_module_gets_0_and_says_why(autograder: Path) -> None:
    results = run_autograder(autograder, {"rapport.pdf": ROOT / "README.md"})
    assert results["score"] == 0.0 and results["tests"] == []
    assert results["visibility"] == "visible"
    assert "Aucun module d'exercice trouvé dans votre envoi" in str(results["output"])


def test_bad_input_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, expected in (
        ([], "il manque : FICHIER.zip"),
        ([str(tmp_path / "a.zip"), "--assignment", "aucun"], "devoir inconnu : aucun ;"),
        ([str(tmp_path / "absent" / "a.zip")], "impossible d'écrire"),
        (["a.zip", "--run"], "--run ne prend pas de FICHIER.zip"),
    ):
        assert gradescope.main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("python -m grader.tools.gradescope : erreur : ") and expected in err
        assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
