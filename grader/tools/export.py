"""``nox -s export -- DIR`` (``python -m grader.tools.export DIR``): the students' repository.

What the students receive is the kit less everything that would give answers
away or that only the maintainers need:

- only files git tracks are copied (``git ls-files``), so no cache, compiled
  file or local scrap of the working tree can slip in;
- ``solutions/``, the hidden tests (``grader/suites/hidden/`` keeps an empty
  ``__init__.py`` so that the package still imports), the kit's own
  ``tests/``, the maintainers' ``docs/`` and CI files are left out;
- ``grader/exercises.toml`` is rewritten without the hidden tests' entries,
  whose titles and hints would tell what they check;
- the files of ``template/`` (the students' README, noxfile and Classroom
  workflow) take the place of the kit's own.

The exported tree is then searched for every hidden test's name and title;
an export that would leak one is deleted and reported as an error.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.formats.words import points
from grader.metadata import AssignmentSpec, Catalogue, load_catalogue
from grader.tools.toml_writer import UnexpectedValue, dump_catalogue
from grader.usage import UsageError, chosen_assignment

ROOT = Path(__file__).resolve().parent.parent.parent
PROG = "python -m grader.tools.export"

TEMPLATE = "template"
CATALOGUE = "grader/exercises.toml"
HIDDEN_SUITES = "grader/suites/hidden/"
HIDDEN_INIT = HIDDEN_SUITES + "__init__.py"

# Folders of the kit that never reach the students (paths end with "/").
DROPPED_FOLDERS: tuple[str, ...] = (
    "solutions/",
    HIDDEN_SUITES,
    "tests/",
    "docs/",
    TEMPLATE + "/",
    ".github/",
    ".ci/",
)
# Files the template replaces with its own.
REPLACED_FILES: tuple[str, ...] = ("README.md", "noxfile.py")

CATALOGUE_HEADER = """\
# Les exercices, leurs tests publics, leurs points et leurs pistes.
#
# La note finale compte aussi des tests cachés, qui ne figurent pas ici :
# ils vérifient les mêmes consignes sur d'autres cas.
"""


class ExportError(Exception):
    """The export cannot be made, or would leak: one French line says why."""


def _git_paths(root: Path, args: list[str], failure: str) -> list[str]:
    """The paths a git command lists (with -z) in `root`, sorted; ExportError saying `failure`."""
    try:
        listing = subprocess.run(
            ["git", "-C", str(root), *args, "-z"], check=True, capture_output=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ExportError(failure) from exc
    return sorted({path for path in listing.decode("utf-8").split("\0") if path})


def tracked_files(root: Path) -> list[str]:
    """Paths git tracks under `root` (relative, with "/"), present in the working tree."""
    paths = _git_paths(
        root,
        ["ls-files", "--cached"],
        f"impossible de lister les fichiers suivis par git dans « {root} » : "
        "l'export part d'un dépôt git du kit",
    )
    # A file deleted but not yet committed is gone: nothing to copy.
    return [p for p in paths if (root / p).exists() or (root / p).is_symlink()]


def is_dropped(path: str) -> bool:
    return path in REPLACED_FILES or path.startswith(DROPPED_FOLDERS)


def _hidden(test: Mapping[str, Any]) -> bool:
    return bool(test.get("hidden", False))


def public_catalogue(data: Mapping[str, Any], assignment: AssignmentSpec) -> dict[str, Any]:
    """The catalogue of one assignment (its exercises, itself alone), without hidden tests."""
    result = dict(data)
    if "assignment" in data:
        result["assignment"] = [a for a in data["assignment"] if a["id"] == assignment.id]
    result["exercise"] = [
        {
            **exercise,
            "test": [t for t in exercise.get("test", []) if not _hidden(t)],
        }
        for exercise in data.get("exercise", [])
        if exercise["id"] in assignment.exercises
    ]
    return result


def public_catalogue_text(text: str, assignment: AssignmentSpec) -> str:
    """`exercises.toml` rewritten for one assignment without hidden tests, checked to read back."""
    data = tomllib.loads(text)
    public = public_catalogue(data, assignment)
    try:
        dumped = dump_catalogue(public, CATALOGUE_HEADER)
    except UnexpectedValue as exc:
        raise ExportError(str(exc)) from None
    expected = {
        **public,
        "exercise": [
            {k: v for k, v in e.items() if not (k == "test" and v == [])}
            for e in public["exercise"]
        ],
    }
    if tomllib.loads(dumped) != expected:
        raise ExportError("le catalogue réécrit ne se relit pas à l'identique (exercises.toml)")
    return dumped


def hidden_markers(catalogue_text: str) -> list[str]:
    """What only a hidden test's presence would put in a file: its function name, its title.

    A name or title a public test shares is no secret and is left out.
    """
    data = tomllib.loads(catalogue_text)
    tests = [t for e in data.get("exercise", []) for t in e.get("test", [])]
    public = {str(t["id"]) for t in tests if not _hidden(t)} | {
        str(t["title"]) for t in tests if not _hidden(t)
    }
    markers: list[str] = []
    for test in tests:
        if not _hidden(test):
            continue
        if str(test["id"]) not in public:
            markers.append(f"test_{test['id']}")
        if str(test["title"]) not in public:
            markers.append(str(test["title"]))
    return markers


def find_leaks(dest: Path, markers: Iterable[str]) -> list[str]:
    """Files of `dest` that hold a marker, or are caches or compiled files."""
    wanted = [m for m in markers if m]
    leaks: list[str] = []
    for path in sorted(dest.rglob("*")):
        relative = path.relative_to(dest).as_posix()
        if path.is_dir():
            if path.name in {"__pycache__", ".pytest_cache", ".hypothesis", "solutions"}:
                leaks.append(f"{relative}/")
            continue
        if path.suffix in {".pyc", ".pyo"}:
            leaks.append(relative)
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for marker in wanted:
            # Whole words only: a hidden `test_total` is not in `test_total_exemples`.
            if re.search(rf"(?<!\w){re.escape(marker)}(?!\w)", text):
                leaks.append(f"{relative} (contient « {marker} »)")
    return leaks


def other_exercises_files(
    catalogue: Catalogue, assignment: AssignmentSpec, *, hidden: bool = False
) -> set[str]:
    """The files of the exercises outside the assignment: the students get none of them.

    With `hidden`, their hidden suites too (for a kit that ships hidden suites).
    """
    return {
        path
        for exercise in catalogue.exercises
        if exercise.id not in assignment.exercises
        for path in (
            f"exercises/{exercise.id}.py",
            f"grader/suites/public/test_{exercise.id}.py",
            *([f"{HIDDEN_SUITES}test_{exercise.id}.py"] if hidden else []),
        )
    }


# In the template's README: the table of the assignment's exercises goes between these.
TABLE_START = "<!-- exercices -->"
TABLE_END = "<!-- /exercices -->"
# In the template's workflow: the assignment the kit's grader is told to grade.
ASSIGNMENT_OPTION = re.compile(r"--assignment [\w-]+")


def exercise_table(catalogue: Catalogue, assignment: AssignmentSpec) -> str:
    """The README's table of the assignment's exercises, hidden tests' points included."""
    rows = ["| module | exercice | points |", "|---|---|---|"]
    for exercise_id in assignment.exercises:
        exercise = catalogue.get(exercise_id)
        rows.append(f"| `{exercise.id}` | {exercise.title} | {points(exercise.max_score)} |")
    return "\n".join(rows)


def for_assignment(relative: str, text: str, catalogue: Catalogue, assign: AssignmentSpec) -> str:
    """A template file with the assignment filled in: the README's table, the workflow's option."""
    if relative == "README.md" and TABLE_START in text and TABLE_END in text:
        head, rest = text.split(TABLE_START, 1)
        _, tail = rest.split(TABLE_END, 1)
        return f"{head}{TABLE_START}\n{exercise_table(catalogue, assign)}\n{TABLE_END}{tail}"
    if relative.startswith(".github/workflows/") and assign.id:
        if len(ASSIGNMENT_OPTION.findall(text)) != 1:
            raise ExportError(
                f"{TEMPLATE}/{relative} doit contenir une fois « --assignment NOM » "
                "(le devoir que le correcteur du kit note)"
            )
        return ASSIGNMENT_OPTION.sub(f"--assignment {assign.id}", text)
    return text


@dataclass(frozen=True)
class Planned:
    """One file of the students' repository."""

    data: bytes
    executable: bool = False


def plan(root: Path = ROOT, assignment: str | None = None) -> dict[str, Planned]:
    """The students' repository for one assignment, file by file (the default one for None).

    What the export writes, and what a class's copies are compared with
    (`grader.tools.batch`): a file of the kit a student had no reason to edit.
    """
    root = root.resolve()
    catalogue = load_catalogue(root / CATALOGUE)
    try:
        chosen = chosen_assignment(catalogue, assignment)
    except UsageError as exc:
        raise ExportError(str(exc)) from exc
    files = tracked_files(root)
    others = other_exercises_files(catalogue, chosen)
    kit = [p for p in files if not is_dropped(p) and p not in others]
    template = [p for p in files if p.startswith(TEMPLATE + "/")]
    if not template:
        raise ExportError(f"le dossier {TEMPLATE}/ du kit est vide ou n'est pas suivi par git")
    catalogue_text = (root / CATALOGUE).read_text(encoding="utf-8")

    planned: dict[str, Planned] = {}
    for relative in kit:
        if relative == CATALOGUE:
            text = public_catalogue_text(catalogue_text, chosen)
            planned[relative] = Planned(text.encode("utf-8"))
        else:
            planned[relative] = _read(root / relative)
    for relative in template:
        inside = relative.removeprefix(TEMPLATE + "/")
        planned[inside] = _read(root / relative)
        if inside == "README.md" or inside.startswith(".github/workflows/"):
            text = (root / relative).read_text(encoding="utf-8")
            filled = for_assignment(inside, text, catalogue, chosen)
            planned[inside] = Planned(filled.encode("utf-8"), planned[inside].executable)
    # The package stays importable; the runner sees no hidden test in it.
    planned[HIDDEN_INIT] = Planned(b"")
    return dict(sorted(planned.items()))


def _read(source: Path) -> Planned:
    if source.is_symlink():
        # A link could point anywhere, solutions included: never followed.
        raise ExportError(f"lien symbolique suivi par git, refusé dans l'export : {source}")
    return Planned(source.read_bytes(), os.access(source, os.X_OK))


def uncommitted(root: Path) -> list[str]:
    """Tracked files of `root` changed since the last commit: what an export must not ship."""
    return _git_paths(
        root,
        ["diff", "HEAD", "--name-only"],
        f"impossible de comparer « {root} » à son dernier commit (git diff HEAD) : "
        "l'export part d'un commit du kit",
    )


def require_committed(root: Path) -> None:
    """What students receive is a commit of the kit, never a half-edited working tree."""
    changed = uncommitted(root)
    if changed:
        shown = ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else "")
        raise ExportError(
            f"le kit a des modifications non validées ({shown}) : validez-les (git commit) "
            "ou ajoutez --allow-dirty"
        )


def export(
    dest: Path, root: Path = ROOT, assignment: str | None = None, *, allow_dirty: bool = False
) -> list[str]:
    """Write the students' repository for one assignment into `dest` (absent or empty).

    The default assignment without `assignment`; the files written. The kit
    must have no uncommitted change unless `allow_dirty`.
    """
    root = root.resolve()
    dest = dest.resolve()
    if dest == root or dest.is_relative_to(root / TEMPLATE) or root.is_relative_to(dest):
        raise ExportError(f"le dossier « {dest} » ne peut pas recevoir l'export du kit")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ExportError(f"le dossier « {dest} » existe déjà et n'est pas vide")
    planned = plan(root, assignment)
    if not allow_dirty:
        require_committed(root)
    catalogue_text = (root / CATALOGUE).read_text(encoding="utf-8")

    created = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    try:
        for relative, file in planned.items():
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.data)
            target.chmod(0o755 if file.executable else 0o644)
        leaks = find_leaks(dest, hidden_markers(catalogue_text))
        if leaks:
            raise ExportError(
                "l'export contiendrait des tests cachés ou des fichiers compilés : "
                + ", ".join(leaks)
            )
    except BaseException:
        if created:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for child in dest.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        raise
    return list(planned)


def main(argv: Sequence[str] | None = None) -> int:
    from grader import usage

    parser = usage.Parser(
        prog=PROG,
        description=(
            "Écrit dans DOSSIER le dépôt que reçoivent les élèves : les énoncés, le correcteur "
            "et les tests publics, sans les solutions ni les tests cachés."
        ),
    )
    parser.add_argument("dossier", metavar="DOSSIER", help="dossier à créer (ou vide)")
    parser.add_argument(
        "--assignment",
        metavar="DEVOIR",
        help="le devoir exporté (par défaut : le premier du catalogue, ex1 à ex5)",
    )
    parser.add_argument(
        "--allow-dirty",
        action="store_true",
        help="exporte même si le kit a des modifications non validées (git commit)",
    )
    try:
        args = parser.parse_args(argv)
    except usage.UsageError as exc:
        return usage.usage_error(PROG, exc)
    dest = Path(args.dossier)
    try:
        written = export(dest, assignment=args.assignment, allow_dirty=args.allow_dirty)
    except ExportError as exc:
        return usage.usage_error(PROG, str(exc))
    print(f"Dépôt des élèves écrit dans {dest} ({len(written)} fichiers).")
    print(
        "Étapes suivantes : créez-en un dépôt GitHub, cochez « Template repository » dans ses "
        "réglages, puis choisissez-le comme dépôt de départ du devoir GitHub Classroom "
        "(voir le README du kit)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
