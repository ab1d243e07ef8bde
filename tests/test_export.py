"""The students' repository (`nox -s export -- DIR`): everything they need, no answer.

The exported tree is searched with what would give answers away, found
independently of the export's own check: every function of the hidden
suites, every hidden test's title, and the lines of each reference solution
that its stub does not already show. Then the exported kit is run as a
student would run it.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from grader.tools import export, toml_writer

ROOT = Path(__file__).resolve().parent.parent

CATALOGUE = tomllib.loads((ROOT / "grader" / "exercises.toml").read_text(encoding="utf-8"))
# What the default export ships: the first assignment's exercises.
EXPORTED = CATALOGUE["assignment"][0]["exercises"]
SOLUTIONS = [ROOT / "solutions" / f"{e}.py" for e in EXPORTED]
PUBLIC_SUITES = [ROOT / "grader" / "suites" / "public" / f"test_{e}.py" for e in EXPORTED]
# Every hidden suite, the other assignments' too: none may reach the students.
HIDDEN_SUITES = sorted((ROOT / "grader" / "suites" / "hidden").glob("test_*.py"))


def function_names(paths: list[Path]) -> set[str]:
    """The test functions the suites in `paths` define."""
    names: set[str] = set()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
        }
    return names


def catalogue_tests(*, hidden: bool, exported: bool = True) -> list[dict[str, object]]:
    """The catalogue's tests: the exported exercises' only, or every exercise's."""
    return [
        t
        for e in CATALOGUE["exercise"]
        if e["id"] in EXPORTED or not exported
        for t in e.get("test", [])
        if bool(t.get("hidden", False)) is hidden
    ]


def exported_texts(dest: Path) -> dict[str, str]:
    return {
        p.relative_to(dest).as_posix(): p.read_bytes().decode("utf-8", errors="replace")
        for p in dest.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("l'export part d'un dépôt git du kit, et git est absent ici")
    dest = tmp_path_factory.mktemp("export") / "depot-eleves"
    # The working tree as it is, committed or not: what is checked is its content.
    export.export(dest, allow_dirty=True)
    return dest


def test_layout(exported: Path) -> None:
    files = set(exported_texts(exported))
    for gone in ("solutions/", "tests/", "docs/", "template/"):
        assert not any(f.startswith(gone) for f in files), gone
    assert [f for f in files if f.startswith("grader/suites/hidden/")] == [
        "grader/suites/hidden/__init__.py"
    ]
    assert (exported / "grader/suites/hidden/__init__.py").read_text() == ""
    for needed in (
        "README.md",
        "noxfile.py",
        "pyproject.toml",
        ".github/workflows/classroom.yml",
        "grader/__main__.py",
        "grader/exercises.toml",
        "exercises/__init__.py",
    ):
        assert needed in files, needed
    assert sorted(f for f in files if f.startswith("grader/suites/public/test_")) == sorted(
        f"grader/suites/public/{suite.name}" for suite in PUBLIC_SUITES
    )
    assert sorted(f for f in files if re.fullmatch(r"exercises/ex\w+\.py", f)) == sorted(
        f"exercises/{solution.name}" for solution in SOLUTIONS
    )
    # The students' own README and noxfile, not the kit's.
    assert (exported / "README.md").read_text() == (ROOT / "template/README.md").read_text()
    assert (exported / "noxfile.py").read_text() == (ROOT / "template/noxfile.py").read_text()


def test_no_cache_or_compiled_file(exported: Path) -> None:
    for path in exported.rglob("*"):
        assert path.name not in {"__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache"}
        assert path.suffix not in {".pyc", ".pyo"}


def test_no_hidden_test_function(exported: Path) -> None:
    hidden = function_names(HIDDEN_SUITES) - function_names(PUBLIC_SUITES)
    assert hidden, "les suites cachées devraient définir des fonctions"
    for name, text in exported_texts(exported).items():
        for function in hidden:
            assert not re.search(rf"(?<!\w){re.escape(function)}(?!\w)", text), (
                f"{name} contient {function}, une fonction des tests cachés"
            )


def test_no_hidden_test_title_or_hint(exported: Path) -> None:
    public = catalogue_tests(hidden=False)
    shown = {str(t["title"]) for t in public} | {str(t.get("hint", "")) for t in public}
    secrets = [
        text
        for t in catalogue_tests(hidden=True, exported=False)
        for text in (str(t["title"]), str(t.get("hint", "")))
        if text and text not in shown
    ]
    assert secrets
    for name, text in exported_texts(exported).items():
        for secret in secrets:
            assert secret not in text, f"{name} contient « {secret} », d'un test caché"


def distinctive_lines(solution: Path) -> list[str]:
    """The solution's lines that its stub does not show anywhere (statement included)."""
    stub = (ROOT / "exercises" / solution.name).read_text(encoding="utf-8")
    lines = [line.strip() for line in solution.read_text(encoding="utf-8").splitlines()]
    return [
        line for line in lines if len(line) >= 25 and not line.startswith("#") and line not in stub
    ]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_no_solution_code(exported: Path, solution: Path) -> None:
    lines = distinctive_lines(solution)
    assert len(lines) >= 5, f"{solution.name} : trop peu de lignes propres à la solution"
    for name, text in exported_texts(exported).items():
        for line in lines:
            assert line not in text, f"{name} contient une ligne de {solution}: {line}"


def test_catalogue_keeps_only_public_tests(exported: Path) -> None:
    text = (exported / "grader/exercises.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert "hidden = true" not in text
    kits = [e for e in CATALOGUE["exercise"] if e["id"] in EXPORTED]
    assert [e["id"] for e in data["exercise"]] == EXPORTED
    assert data["assignment"] == CATALOGUE["assignment"][:1]
    for mine, kit in zip(data["exercise"], kits, strict=True):
        assert mine["title"] == kit["title"]
        assert mine.get("test", []) == [t for t in kit.get("test", []) if not t.get("hidden")]


def run_exported(dest: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "GITHUB_"))}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        cwd=dest,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_exported_grader_reports_the_public_score(exported: Path) -> None:
    # What the template's `nox -s grade` runs, without building a virtualenv.
    done = run_exported(exported, "--target", "exercises")
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    public_points = sum(float(t["points"]) for t in catalogue_tests(hidden=False))  # type: ignore[arg-type]
    assert f"Tests publics : 0 points sur {public_points:g} ;" in flat
    assert "la note finale, sur 20 par exercice, compte aussi les tests cachés" in flat
    assert str(exported) in done.stdout  # the exported engine graded, not the kit's


def test_exported_grader_gives_full_public_marks_to_the_solutions(
    exported: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copie"
    shutil.copytree(exported, copy)
    for solution in SOLUTIONS:
        shutil.copyfile(solution, copy / "exercises" / solution.name)
    done = run_exported(copy, "--target", "exercises", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    public_points = sum(float(t["points"]) for t in catalogue_tests(hidden=False))  # type: ignore[arg-type]
    assert report["max_score"] == public_points
    assert report["score"] == report["max_score"]
    assert not any(t["hidden"] for e in report["exercises"] for t in e["tests"])


def test_the_students_noxfile_has_grade_by_default_watch_and_timeline(exported: Path) -> None:
    # nox loads it as a student's machine would: from the repository's root,
    # with its helpers imported from the exported grader.
    listed = subprocess.run(
        [sys.executable, "-m", "nox", "-l"],
        cwd=exported,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    sessions = [line.split()[:2] for line in listed.stdout.splitlines() if line[:2] in ("* ", "- ")]
    assert sessions == [["*", "grade"], ["-", "watch"], ["-", "timeline"]]


# ---------------------------------------------------------------- the export's own guards


def test_export_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "deja.txt").write_text("", encoding="utf-8")
    with pytest.raises(export.ExportError, match="n'est pas vide"):
        export.export(tmp_path)
    assert export.main([str(tmp_path)]) == 2


def commit_all(root: Path) -> None:
    """`root` as a git repository whose one commit holds every file."""
    git = ["git", "-C", str(root), "-c", "user.name=kit", "-c", "user.email=kit@example.org"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "kit"], check=True)


def make_kit(root: Path, public_text: str) -> Path:
    """A tiny kit in its own git repository, with one hidden test."""
    files = {
        "grader/exercises.toml": (
            '[[exercise]]\nid = "ex9"\ntitle = "Neuf"\n\n'
            '[[exercise.test]]\nid = "visible"\ntitle = "Un test public"\npoints = 1\n\n'
            '[[exercise.test]]\nid = "secret_bien_garde"\ntitle = "Un titre très secret"\n'
            "points = 19\nhidden = true\n"
        ),
        "grader/suites/hidden/__init__.py": "",
        "grader/suites/hidden/test_ex9.py": "def test_secret_bien_garde():\n    pass\n",
        "grader/suites/public/test_ex9.py": public_text,
        "solutions/ex9.py": "REPONSE = 42\n",
        "template/README.md": "# Pour les élèves\n",
        "README.md": "# Pour les enseignants\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    commit_all(root)
    (root / "grader/suites/public/__pycache__").mkdir()
    (root / "grader/suites/public/__pycache__/test_ex9.pyc").write_bytes(b"\0cache")
    return root


@pytest.mark.skipif(shutil.which("git") is None, reason="git est absent ici")
def test_export_of_a_small_kit(tmp_path: Path) -> None:
    kit = make_kit(tmp_path / "kit", "def test_visible():\n    pass\n")
    written = export.export(tmp_path / "eleves", kit)
    assert written == [
        "README.md",
        "grader/exercises.toml",
        "grader/suites/hidden/__init__.py",
        "grader/suites/public/test_ex9.py",
    ]
    assert (tmp_path / "eleves/README.md").read_text() == "# Pour les élèves\n"
    catalogue = (tmp_path / "eleves/grader/exercises.toml").read_text(encoding="utf-8")
    assert "secret" not in catalogue and "Un test public" in catalogue


def make_two_assignment_kit(root: Path) -> Path:
    """A tiny kit of two assignments, ex8 in « premier », ex9 in « second »."""
    exercise = (
        '[[exercise]]\nid = "{0}"\ntitle = "Titre {0}"\n\n'
        '[[exercise.test]]\nid = "vu_{0}"\ntitle = "Public {0}"\npoints = 5\n\n'
        '[[exercise.test]]\nid = "cache_{0}"\ntitle = "Caché {0}"\npoints = 15\nhidden = true\n\n'
    )
    files = {
        "grader/exercises.toml": (
            '[[assignment]]\nid = "premier"\ntitle = "Un"\nexercises = ["ex8"]\n\n'
            '[[assignment]]\nid = "second"\ntitle = "Deux"\nexercises = ["ex9"]\n\n'
            + exercise.format("ex8")
            + exercise.format("ex9")
        ),
        "grader/suites/hidden/__init__.py": "",
        "exercises/ex8.py": "# huit\n",
        "exercises/ex9.py": "# neuf\n",
        "grader/suites/public/test_ex8.py": "def test_vu_ex8():\n    pass\n",
        "grader/suites/public/test_ex9.py": "def test_vu_ex9():\n    pass\n",
        "template/README.md": (
            "# Élèves\n\n<!-- exercices -->\nà remplir\n<!-- /exercices -->\nfin\n"
        ),
        "template/.github/workflows/classroom.yml": "run: grader --assignment premier --x\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    commit_all(root)
    return root


@pytest.mark.skipif(shutil.which("git") is None, reason="git est absent ici")
def test_export_of_one_assignment_ships_only_its_exercises(tmp_path: Path) -> None:
    kit = make_two_assignment_kit(tmp_path / "kit")
    dest = tmp_path / "eleves"
    written = export.export(dest, kit, assignment="second")
    assert "exercises/ex9.py" in written and "grader/suites/public/test_ex9.py" in written
    assert not any("ex8" in path for path in written)
    data = tomllib.loads((dest / "grader/exercises.toml").read_text(encoding="utf-8"))
    assert [a["id"] for a in data["assignment"]] == ["second"]
    assert [e["id"] for e in data["exercise"]] == ["ex9"]
    # The README's table and the workflow's grade are the assignment's.
    assert (dest / "README.md").read_text(encoding="utf-8") == (
        "# Élèves\n\n<!-- exercices -->\n| module | exercice | points |\n|---|---|---|\n"
        "| `ex9` | Titre ex9 | 20 |\n<!-- /exercices -->\nfin\n"
    )
    workflow = (dest / ".github/workflows/classroom.yml").read_text(encoding="utf-8")
    assert workflow == "run: grader --assignment second --x\n"
    # Without --assignment: the first one.
    assert "exercises/ex8.py" in export.export(tmp_path / "defaut", kit)


@pytest.mark.skipif(shutil.which("git") is None, reason="git est absent ici")
def test_export_of_an_unknown_assignment_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export.main([str(tmp_path / "eleves"), "--assignment", "troisieme"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m grader.tools.export : erreur : devoir inconnu : troisieme ;")
    assert err.count("\n") == 1
    assert not (tmp_path / "eleves").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="git est absent ici")
def test_export_refuses_uncommitted_changes(tmp_path: Path) -> None:
    kit = make_kit(tmp_path / "kit", "def test_visible():\n    pass\n")
    (kit / "grader/suites/public/test_ex9.py").write_text("# à moitié écrit\n", encoding="utf-8")
    dest = tmp_path / "eleves"
    with pytest.raises(
        export.ExportError, match=r"non validées \(grader/suites/public/test_ex9.py\)"
    ):
        export.export(dest, kit)
    assert not dest.exists()
    # Asked for: the working tree as it is.
    export.export(dest, kit, allow_dirty=True)
    assert (dest / "grader/suites/public/test_ex9.py").read_text() == "# à moitié écrit\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="git est absent ici")
def test_export_refuses_to_leak_and_leaves_nothing(tmp_path: Path) -> None:
    # A public file that names a hidden test (say, a copied helper comment).
    kit = make_kit(tmp_path / "kit", "# voir test_secret_bien_garde\ndef test_visible(): pass\n")
    dest = tmp_path / "eleves"
    with pytest.raises(export.ExportError, match="test_secret_bien_garde"):
        export.export(dest, kit)
    assert not dest.exists()


@pytest.mark.parametrize(
    "value",
    ['guillemets " et \\ barre', "ligne\nsuivante\ttab", "suppr \x7f fin", "« é » ✓", ""],
)
def test_catalogue_strings_survive_the_rewrite(value: str) -> None:
    data = {"exercise": [{"id": "ex", "title": value, "test": [{"id": "t", "hint": value}]}]}
    assert tomllib.loads(toml_writer.dump_catalogue(data)) == data


def test_bad_input_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert export.main([]) == 2
    err = capsys.readouterr().err
    assert err == "python -m grader.tools.export : erreur : il manque : DOSSIER\n"
