"""The grader's command line: ``python -m grader``.

What scripts, CI and instructors rely on (options, exit status, JSON report)
is fixed by the exercise contract; everything else here is about saying
clearly, in one line, what went wrong before any grading starts.

Exit status: 0 once grading has run, whatever the score; 1 with
``--min-score`` when the total is below it; 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TextIO

from grader import formats
from grader.class_cli import add_class_options, grade_class_command, merge_class_command
from grader.formats import words
from grader.isolation.sandbox import Mode, Sandbox, SandboxUnavailable, choose
from grader.metadata import Catalogue, load_catalogue
from grader.results import Report
from grader.usage import (
    Parser,
    UsageError,
    check_target,
    chosen_exercises,
    parse_only,
    usage_error,
)

# Formats read by instructors' platforms, where running without the sandbox is said.
_INSTRUCTOR_FORMATS = ("classroom", "gradescope")

EXIT_OK = 0
EXIT_BELOW_MIN_SCORE = 1
EXIT_INTERRUPTED = 130

PROG = "python -m grader"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Corrige les exercices asyncio du dossier donné et affiche la note.",
        epilog=(
            "Code de sortie : 0 quand la correction a eu lieu (quelle que soit la note), "
            "1 avec --min-score quand la note est en dessous, 2 pour une erreur d'utilisation."
        ),
    )
    parser.add_argument(
        "--target",
        metavar="DOSSIER",
        help="dossier qui contient les modules des exercices (par défaut : exercises)",
    )
    parser.add_argument(
        "--only",
        metavar="EX1,EX2",
        help="ne corrige que ces exercices, séparés par des virgules (ex. ex2_telechargeur)",
    )
    parser.add_argument(
        "--assignment",
        metavar="DEVOIR",
        help=(
            "corrige les exercices de ce devoir, noté sur la somme de leurs points "
            "(par défaut : le premier devoir du catalogue, ex1 à ex5)"
        ),
    )
    parser.add_argument(
        "--format",
        choices=tuple(formats.FORMATS),
        default=None,
        help=f"format du rapport (par défaut : {formats.DEFAULT})",
    )
    parser.add_argument(
        "--output", metavar="FICHIER", help="écrit le rapport dans ce fichier plutôt qu'à l'écran"
    )
    parser.add_argument(
        "--min-score",
        metavar="N",
        type=_score,
        help="sort avec le code 1 si la note totale est inférieure à N",
    )
    parser.add_argument(
        "--public-only",
        action="store_true",
        help="ne passe que les tests publics (la note finale compte aussi les tests cachés)",
    )
    parser.add_argument("--no-color", action="store_true", help="rapport sans couleurs")
    parser.add_argument(
        "--jobs",
        metavar="N",
        type=_jobs,
        help="nombre d'exercices corrigés en parallèle (par défaut : selon la machine)",
    )
    parser.add_argument(
        "--timing",
        metavar="FICHIER",
        help="écrit dans ce fichier (JSON) le temps réel et le temps virtuel de chaque exercice",
    )
    parser.add_argument(
        "--sandbox",
        choices=tuple(m.value for m in Mode),
        default=Mode.AUTO.value,
        help=(
            "isole le code des élèves dans un bac à sable bubblewrap : auto (par défaut) "
            "s'il fonctionne ici, require ou rien (code 2), off jamais"
        ),
    )
    add_class_options(parser)
    return parser


def _score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"attend un nombre, pas « {text} »") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"attend un nombre positif, pas « {text} »")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"attend un entier au moins égal à 1, pas « {text} »")
    return value


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    try:
        with stop_on_signals():
            return _main(build_parser().parse_args(argv), environ)
    except UsageError as exc:
        return usage_error(PROG, exc)
    except KeyboardInterrupt:
        print(f"{PROG} : correction interrompue", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): nothing left to say to it, and
        # Python must not complain again when it flushes stdout on exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


# Said the moment Ctrl-C is pressed: the grade then takes a moment to unwind.
STOPPING = "Arrêt en cours..."


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Ctrl-C or SIGTERM: say at once that the grade stops, then unwind it.

    SIGTERM is what nox, CI runners and platforms send to stop a run; it is
    handled as Ctrl-C, so that the judges and the student's processes are
    ended rather than orphaned. Signals that come while the grade unwinds are
    ignored: a second Ctrl-C must not cut the cleaning short.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set signal handlers (main called from a thread)
        return
    stopping = (signal.SIGINT, signal.SIGTERM)

    def stop(signum: int, frame: object) -> None:
        for number in stopping:
            signal.signal(number, signal.SIG_IGN)
        print(STOPPING, file=sys.stderr, flush=True)
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, stop) for number in stopping}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _main(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    catalogue = load_catalogue()
    only = parse_only(args.only, catalogue, args.assignment)
    if args.merge_rows is not None:
        return merge_class_command(args)
    if any(value is not None for value in (args.submissions, args.csv, args.rows, args.shard)):
        return grade_class_command(args, only, _sandbox)
    for option, value in (
        ("--reports", args.reports),
        ("--html", args.html),
        ("--excel", args.excel or None),
        ("--roster", args.roster),
    ):
        if value is not None:
            raise UsageError(f"{option} va avec --submissions et --csv (une classe)")

    target = Path(args.target if args.target is not None else "exercises")
    # A platform records what the grader says: a submission with no module is
    # graded 0 with the reason, not refused, or it would get no grade at all.
    platform = args.format in _INSTRUCTOR_FORMATS
    check_target(target, chosen_exercises(catalogue, only), modules_required=not platform)
    for option in (args.output, args.timing):
        if option is not None:
            _check_writable(Path(option))
    fmt = _load_format(args.format or formats.DEFAULT)
    color = use_color(args, environ, sys.stdout)
    sandbox = _sandbox(args)
    if not sandbox.active and sandbox.mode is Mode.AUTO and args.format in _INSTRUCTOR_FORMATS:
        print(f"{PROG} : {sandbox.notice()}", file=sys.stderr)

    report = _grade(
        target,
        only,
        jobs=args.jobs,
        public_only=args.public_only,
        sandbox=sandbox,
        catalogue=catalogue,
        modules_required=not platform,
    )

    text: str = fmt.render(report, color=color)
    if args.output is not None:
        _write_file(Path(args.output), text)
    else:
        write_stdout(text)
    publish = getattr(fmt, "publish", None)
    if callable(publish):
        publish(report, environ)
    if args.timing is not None:
        timing = report.extra.get("timing", {})
        _write_file(Path(args.timing), json.dumps(timing, ensure_ascii=False, indent=2) + "\n")

    if args.min_score is not None and report.score < args.min_score:
        score = f"{words.points(report.score)}/{words.points(report.max_score)}"
        minimum = words.points(args.min_score)
        print(f"Note {score} : en dessous du minimum demandé ({minimum}).", file=sys.stderr)
        return EXIT_BELOW_MIN_SCORE
    return EXIT_OK


def _check_writable(path: Path) -> None:
    # Found out now rather than after the whole grade has run.
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"impossible d'écrire « {path} » : le dossier « {folder} » n'existe pas")
    if path.is_dir():
        raise UsageError(f"impossible d'écrire « {path} » : c'est un dossier")


def _load_format(name: str) -> ModuleType:
    try:
        return formats.load(name)
    except formats.FormatUnavailable as exc:
        raise UsageError(str(exc)) from exc


def use_color(args: argparse.Namespace, environ: Mapping[str, str], stream: TextIO) -> bool:
    if args.no_color or args.output is not None:
        return False
    # NO_COLOR's convention (no-color.org): set and not empty means no colour.
    if environ.get("NO_COLOR") or environ.get("CI"):
        return False
    return stream.isatty()


def _sandbox(args: argparse.Namespace) -> Sandbox:
    try:
        return choose(Mode(args.sandbox))
    except SandboxUnavailable as exc:
        raise UsageError(str(exc)) from exc


def _grade(
    target: Path,
    only: list[str] | None,
    *,
    jobs: int | None,
    public_only: bool,
    sandbox: Sandbox,
    catalogue: Catalogue,
    modules_required: bool = True,
) -> Report:
    # Imported here so that usage errors and --help answer at once, without
    # loading the grading engine.
    from grader.runner import grade

    return grade(
        target,
        only,
        jobs=jobs,
        public_only=public_only,
        sandbox=sandbox,
        catalogue=catalogue,
        modules_required=modules_required,
    )


def _write_file(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"impossible d'écrire « {path} » : {exc.strerror or exc}") from exc


def write_stdout(text: str) -> None:
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is not None and not stream.isatty():
        # Reports are UTF-8 wherever they go, whatever the locale of a pipe.
        stream.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        stream.write(text)
        stream.flush()
