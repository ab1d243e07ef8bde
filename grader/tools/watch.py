"""`nox -s watch`: grade each exercise the moment the student saves it.

The student's loop, as rustlings has it: edit, save, read what to fix. The
folder is watched with watchfiles (inotify, FSEvents…, polling elsewhere);
a save of `exN.py` clears the screen and grades that exercise alone, with
the same report `nox -s grade` prints, so its score line comes last. The
judges' fork server stays warm between saves, so a grade after a save costs
the tests alone, not pytest's import.

Ctrl-C stops at once, even in the middle of a grade: the grade unwinds as
`python -m grader`'s does (`grader.cli.stop_on_signals`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from grader import cli, usage
from grader.metadata import Catalogue, load_catalogue

PROG = "nox -s watch --"
# Milliseconds a burst of file events is gathered before grading: an editor's
# save is often several events (a temporary file, a rename, a write).
DEBOUNCE_MS = 150
# Clears a terminal and puts the cursor at its top (ANSI: erase display, home).
CLEAR = "\033[2J\033[H"


def build_parser() -> argparse.ArgumentParser:
    parser = usage.Parser(
        prog=PROG,
        description="Corrige un exercice chaque fois que vous l'enregistrez.",
    )
    parser.add_argument(
        "--target",
        metavar="DOSSIER",
        default="exercises",
        help="dossier surveillé (par défaut : exercises)",
    )
    parser.add_argument("--public-only", action="store_true", help="ne passe que les tests publics")
    parser.add_argument("--no-color", action="store_true", help="rapport sans couleurs")
    parser.set_defaults(output=None)  # what `cli.use_color` reads
    return parser


def saved_exercises(paths: Iterable[str], target: Path, catalogue: Catalogue) -> list[str]:
    """The exercises whose module is among `paths`, in the catalogue's order."""
    names = {Path(path).name for path in paths if Path(path).parent.resolve() == target}
    return [e for e in catalogue.ids if f"{e}.py" in names]


def changes(target: Path, catalogue: Catalogue) -> Iterator[list[str]]:
    """Each save of one or more exercise modules of `target`, as the exercises saved."""
    import watchfiles

    modules = {f"{e}.py" for e in catalogue.ids}
    for batch in watchfiles.watch(
        target,
        watch_filter=lambda _change, path: Path(path).name in modules,
        debounce=DEBOUNCE_MS,
        recursive=False,
    ):
        saved = saved_exercises((path for _, path in batch), target, catalogue)
        if saved:
            yield saved


def banner(target: Path) -> str:
    return (
        f"Surveillance de {target.name}/ : enregistrez un exercice pour le corriger. "
        "Ctrl-C pour arrêter."
    )


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    try:
        args = build_parser().parse_args(argv)
        catalogue = load_catalogue()
        target = Path(args.target)
        usage.check_target(target, list(catalogue.exercises))
    except usage.UsageError as exc:
        return usage.usage_error(PROG, exc)
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        return usage.usage_error(
            PROG, "le module watchfiles manque ; lancez plutôt « nox -s watch »"
        )
    color = cli.use_color(args, environ, sys.stdout)
    try:
        with cli.stop_on_signals():
            watch(target.resolve(), catalogue, public_only=args.public_only, color=color)
    except KeyboardInterrupt:
        print("Surveillance arrêtée.", file=sys.stderr)
    return cli.EXIT_OK


def watch(
    target: Path,
    catalogue: Catalogue,
    *,
    public_only: bool,
    color: bool,
    out: TextIO = sys.stdout,
) -> None:
    """Grade each saved exercise of `target` until Ctrl-C (KeyboardInterrupt)."""
    from grader import runner
    from grader.formats import terminal
    from grader.isolation.judges import JudgeServer, fork_server_available
    from grader.isolation.sandbox import Mode, choose

    sandbox = choose(Mode.AUTO)
    print(banner(target), file=out, flush=True)
    judges = JudgeServer() if fork_server_available() else None
    try:
        for saved in changes(target, catalogue):
            if out.isatty():
                out.write(CLEAR)
            when = time.strftime("%H:%M:%S")
            print(f"{', '.join(saved)} enregistré à {when} ; Ctrl-C pour arrêter.", file=out)
            out.flush()
            report = runner.grade(
                target, saved, public_only=public_only, judges=judges, sandbox=sandbox
            )
            out.write(terminal.render(report, color=color))
            out.flush()
    finally:
        if judges is not None:
            judges.close()


if __name__ == "__main__":
    sys.exit(main())
