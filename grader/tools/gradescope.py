"""``nox -s gradescope -- autograder.zip`` (``python -m grader.tools.gradescope``): Gradescope.

The zip Gradescope asks for holds, at its root, ``setup.sh`` (run once, as
root, when Gradescope builds the image: bubblewrap, a Python the kit
supports, the kit in ``/autograder/venv``) and ``run_autograder`` (run for
each submission), next to the kit less what the students' code must never
meet and Gradescope never needs: the solutions, the kit's own tests, its
docs and CI files, and every file of the exercises outside the assignment.
The hidden tests are in it: Gradescope runs them, and the sandbox keeps them
from the student's code where the container lets bubblewrap work.

``run_autograder`` calls ``python -m grader.tools.gradescope --run``: the
student's modules are found where they sent them (``exercises/``, the root
of the upload, or one folder down, as for a class), graded for the
assignment, and ``results.json`` is always written, with a French message
and 0 when nothing could be graded, so a student never meets Gradescope's
bare "autograder failed".
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from grader.metadata import AssignmentSpec, Catalogue, load_catalogue
from grader.tools.export import (
    CATALOGUE,
    DROPPED_FOLDERS,
    HIDDEN_SUITES,
    ROOT,
    ExportError,
    other_exercises_files,
    require_committed,
    tracked_files,
)
from grader.usage import UsageError, chosen_assignment

PROG = "python -m grader.tools.gradescope"
SCRIPTS = Path(__file__).with_name("autograder")
RUN_SCRIPT = "run_autograder"
SETUP_SCRIPT = "setup.sh"
RUN_COMMAND = "-m grader.tools.gradescope --run"
# Where Gradescope puts everything; a test sets it to a folder of its own.
AUTOGRADER_ROOT = "AUTOGRADER_ROOT"


def kit_files(root: Path, catalogue: Catalogue, assignment: AssignmentSpec) -> list[str]:
    """The kit's tracked files the autograder needs for one assignment."""
    outside = other_exercises_files(catalogue, assignment, hidden=True)
    # The hidden suites are the point; everything else dropped from an export stays out.
    dropped = tuple(folder for folder in DROPPED_FOLDERS if folder != HIDDEN_SUITES)
    return [p for p in tracked_files(root) if not p.startswith(dropped) and p not in outside]


def build(
    dest: Path, root: Path = ROOT, assignment: str | None = None, *, allow_dirty: bool = False
) -> list[str]:
    """Write the autograder zip for one assignment (the default one for None); its entries.

    The kit must have no uncommitted change unless `allow_dirty`.
    """
    catalogue = load_catalogue(root / CATALOGUE)
    try:
        chosen = chosen_assignment(catalogue, assignment)
    except UsageError as exc:
        raise ExportError(str(exc)) from exc
    if dest.is_dir() or not dest.parent.is_dir():
        raise ExportError(f"impossible d'écrire « {dest} »")
    if not allow_dirty:
        require_committed(root)
    files = kit_files(root, catalogue, chosen)
    run_script = (SCRIPTS / RUN_SCRIPT).read_text(encoding="utf-8")
    if run_script.count(RUN_COMMAND) != 1:
        raise ExportError(f"{SCRIPTS / RUN_SCRIPT} doit appeler une fois « {RUN_COMMAND} »")
    if chosen.id:
        run_script = run_script.replace(RUN_COMMAND, f"{RUN_COMMAND} --assignment {chosen.id}")
    # Written next to its destination, then moved: never half a zip under the name.
    with tempfile.NamedTemporaryFile(dir=dest.parent, suffix=".zip", delete=False) as handle:
        partial = Path(handle.name)
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            _add(archive, SETUP_SCRIPT, (SCRIPTS / SETUP_SCRIPT).read_bytes(), executable=True)
            _add(archive, RUN_SCRIPT, run_script.encode("utf-8"), executable=True)
            for relative in files:
                path = root / relative
                if path.is_symlink():
                    raise ExportError(f"lien symbolique suivi par git, refusé : {relative}")
                _add(archive, relative, path.read_bytes(), executable=os.access(path, os.X_OK))
        partial.replace(dest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return [SETUP_SCRIPT, RUN_SCRIPT, *files]


def _add(archive: zipfile.ZipFile, name: str, data: bytes, *, executable: bool) -> None:
    # A fixed date and mode: the same kit gives the same zip, byte for byte.
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 5, 9, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, data)


# ---------------------------------------------------------------- in the container


def nothing_graded(message: str) -> dict[str, object]:
    """A results.json that says why there is no grade: 0, and the reason, seen at once."""
    return {"score": 0.0, "output": message, "visibility": "visible", "tests": []}


def run(autograder: Path, assignment: str | None) -> int:
    """Grade the submission in `autograder`/submission into `autograder`/results/results.json."""
    from grader import cli
    from grader.tools.copies import locate

    chosen = chosen_assignment(load_catalogue(), assignment)
    submission = autograder / "submission"
    results = autograder / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.unlink(missing_ok=True)
    target = locate(submission, chosen.exercises) if submission.is_dir() else None
    if target is None:
        expected = ", ".join(f"{name}.py" for name in chosen.exercises)
        _write(
            results,
            nothing_graded(
                "Aucun module d'exercice trouvé dans votre envoi, donc rien à corriger. "
                f"Envoyez vos fichiers du dossier exercises/ ({expected}), ou tout votre dépôt."
            ),
        )
        return 0
    argv = ["--target", str(target), "--format", "gradescope", "--output", str(results)]
    if chosen.id:
        argv += ["--assignment", chosen.id]
    code = cli.main(argv)
    if not results.is_file():
        # The grader could not run at all (its stderr, in Gradescope's log, says why).
        _write(
            results,
            nothing_graded(
                f"La correction n'a pas pu se faire (code {code}) : prévenez l'enseignant, "
                "le journal de l'autograder dit pourquoi."
            ),
        )
    return 0


def _write(path: Path, data: dict[str, object]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    from grader import usage

    parser = usage.Parser(
        prog=PROG,
        description=(
            "Écrit le zip de l'autograder Gradescope d'un devoir : setup.sh, run_autograder "
            "et le correcteur avec ses tests cachés, sans les solutions."
        ),
    )
    parser.add_argument("zip", metavar="FICHIER.zip", nargs="?", help="le zip à écrire")
    parser.add_argument(
        "--assignment",
        metavar="DEVOIR",
        help="le devoir corrigé (par défaut : le premier du catalogue, ex1 à ex5)",
    )
    parser.add_argument(
        "--allow-dirty",
        action="store_true",
        help="écrit le zip même si le kit a des modifications non validées (git commit)",
    )
    parser.add_argument(
        "--run", action="store_true", help="dans le conteneur de Gradescope : corrige l'envoi"
    )
    try:
        args = parser.parse_args(argv)
        if args.run:
            if args.zip is not None:
                raise usage.UsageError("--run ne prend pas de FICHIER.zip")
            return run(Path(os.environ.get(AUTOGRADER_ROOT, "/autograder")), args.assignment)
        if args.zip is None:
            raise usage.UsageError("il manque : FICHIER.zip")
        entries = build(Path(args.zip), assignment=args.assignment, allow_dirty=args.allow_dirty)
    except usage.UsageError as exc:
        return usage.usage_error(PROG, exc)
    except ExportError as exc:
        return usage.usage_error(PROG, str(exc))
    print(f"Autograder écrit dans {args.zip} ({len(entries)} fichiers).")
    print(
        "Étape suivante : dans le devoir Gradescope (type « Programming Assignment »), "
        "Configure Autograder > Zip file upload, puis envoyez ce fichier (voir le README du kit)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
