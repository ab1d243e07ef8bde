"""`nox -s timeline -- EXERCICE`: draw what one's own program does on the virtual clock.

No grade: the exercise's example call (`timeline` in `exercises.toml`, e.g.
`telecharger_tout()` with each `telecharger` drawn as a row) runs once on the
virtual clock, in an executor of the copy's own, sandboxed as in a grade, and
its timeline is drawn as under a failed timing test, followed by the lines the
program printed with their moments. A student compares it with the
statement's example: three bars side by side, or end to end?

Exit status: 0 when the call returned (whatever it did), 1 when it could not
run (the module does not import, the function is still to write, a deadlock),
2 for a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from grader import cli, usage
from grader.metadata import ExerciseSpec, load_catalogue

PROG = "nox -s timeline --"
# Real seconds the call may run: an endless loop is stopped, never waited on.
TIME_LIMIT = 10.0
# Printed lines listed under the drawing; the rest are counted.
MAX_LINES = 30
EXIT_NOT_RUN = 1


def build_parser() -> argparse.ArgumentParser:
    parser = usage.Parser(
        prog=PROG,
        description=(
            "Lance l'appel d'exemple d'un exercice sur l'horloge virtuelle et dessine sa "
            "chronologie, sans le corriger."
        ),
    )
    parser.add_argument(
        "exercise",
        metavar="EXERCICE",
        help="l'exercice, par exemple ex2_telechargeur (nox -s timeline -- ex2_telechargeur)",
    )
    parser.add_argument(
        "--target",
        metavar="DOSSIER",
        default="exercises",
        help="dossier qui contient le module (par défaut : exercises)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        catalogue = load_catalogue()
        (exercise,) = usage.chosen_exercises(catalogue, [args.exercise])
        target = Path(args.target)
        usage.check_target(target, [exercise])
    except usage.UsageError as exc:
        if str(exc).startswith("il manque"):
            exc = usage.UsageError(
                "donnez l'exercice à dessiner, par exemple : nox -s timeline -- ex2_telechargeur"
            )
        return usage.usage_error(PROG, exc)
    if exercise.timeline is None:
        return usage.usage_error(PROG, f"{exercise.id} n'a pas d'appel d'exemple")
    with cli.stop_on_signals():
        return draw_call(target.resolve(), exercise, sys.stdout)


def draw_call(target: Path, exercise: ExerciseSpec, out: TextIO) -> int:
    """Run the exercise's example call in `target` and write its timeline to `out`."""
    from grader.formats import timeline as drawing
    from grader.isolation.sandbox import Executors, Mode, choose
    from grader.judge import timeline
    from grader.judge.explain import import_error
    from grader.judge.harness import StudentModule, require, run
    from grader.judge.link import ExecutorLink
    from grader.judge.verdicts import DeadlockError, StudentError, Verdict
    from grader.protocol import Begin, Loaded
    from grader.results import clean_text

    assert exercise.timeline is not None
    spec = exercise.timeline
    call = f"{spec.call}()"
    executors = Executors(choose(Mode.AUTO), target)
    link = ExecutorLink(
        target, exercise.id, TIME_LIMIT, executors.socket(), executors.sandbox.active
    )
    try:
        link.begin_test()
        seed = f"timeline/{exercise.id}"
        loaded: Loaded = link.ask(Begin(link.next_seq(), "timeline", seed), Loaded)
        link.restart_deadline()
        if loaded.error is not None:
            raise import_error(exercise.id, loaded.error)
        module = StudentModule(link, loaded, seed)
        execution = run(require(module, spec.call, coroutine=True), spies=spec.spies)
    except DeadlockError as exc:
        print(f"{call} n'a pas pu finir : {exc.describe()}", file=out)
        return EXIT_NOT_RUN
    except StudentError as exc:
        print(f"{call} n'a pas pu tourner : {exc.message}", file=out)
        return EXIT_NOT_RUN
    except Verdict as exc:
        print(f"{call} n'a pas pu finir : {exc.message}", file=out)
        return EXIT_NOT_RUN
    finally:
        link.stop()
        executors.close()

    print(f"{exercise.id} : {call} sur l'horloge virtuelle (sans correction)", file=out)
    drawn = timeline.build(call, execution)
    if drawn is None:
        names = ", ".join(spec.spies)
        print(f"{call} a duré {execution.elapsed:.2f} s sans appeler {names}.", file=out)
    else:
        print(drawing.title(drawn), file=out)
        print(drawing.plain(drawn), file=out)
    if execution.lines:
        print("\nLignes affichées :", file=out)
        for line in execution.lines[:MAX_LINES]:
            print(f"  t={line.t:6.2f} s  {clean_text(line.text).rstrip()}", file=out)
        if len(execution.lines) > MAX_LINES:
            print(f"  … et {len(execution.lines) - MAX_LINES} autres lignes", file=out)
    print(f"\nDurée totale : {execution.elapsed:.2f} s virtuelles.", file=out)
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
