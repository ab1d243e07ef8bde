"""Grading a whole class: ``python -m grader --submissions DIR --csv notes.csv``.

``DIR`` holds one folder per student (the layout of a bulk clone of the class's
repositories). Every folder gets one CSV row, several graded at once: the
folder's name, each exercise's points, the total, ``probleme`` (what keeps a
copy, or one of its exercises, from being graded on its merits: not found,
not started, does not import, loops forever), and ``explication`` (what the
student wrote for the teacher, ex1's ``EXPLICATION``). A copy's modules are
found in ``exercises/``, at the folder's root, or one level down. No cell a
student chose can become a spreadsheet formula. The run ends on the class's
summary, also written as an HTML page with ``--html`` (``class_page``).

With ``--shard K/N`` only the K-th of N parts of the class is graded, and
``--rows FILE`` writes its rows as one record (``shards``); ``--merge-rows``
(``merge``) makes the class's sheet, summary and page of the parts, by the
same `write_class` as a run that grades the whole class.

Student code never runs in this process: each submission is graded by
`grader.runner.grade`, which runs every exercise in a child process under its
own time limits. A broken or hostile submission therefore costs at most its
own time limits, in one worker, while the others go on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from grader.formats.words import points
from grader.isolation.sandbox import Mode, Sandbox, choose
from grader.metadata import load_catalogue
from grader.results import Cause, ExerciseResult, Report, Status
from grader.tools import shards
from grader.tools.class_page import copies
from grader.tools.class_sheet import (
    Row,
    outputs_problem,
    report_names,
    write_class,
    write_csv,
    write_reports,
)
from grader.tools.copies import find_submissions, locate
from grader.tools.roster import RosterError, owners, read_roster, with_owner
from grader.tools.shards import Shard
from grader.tools.tampering import edited_in_copy, protected_files, tampering_text
from grader.usage import usage_error

EXIT_OK = 0


PROG = "python -m grader"


class GradeFunction(Protocol):
    def __call__(
        self, target: Path, only: Sequence[str] | None = None, *, jobs: int | None = None
    ) -> Report: ...


def default_workers() -> int:
    # The cores this process may use, which can be fewer than the machine has.
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every platform
        return max(1, os.cpu_count() or 1)


def _problems(report: Report, target: Path, exercise_ids: Sequence[str]) -> list[str]:
    """Why a graded report should not be taken as it is, in French (nothing when fine).

    Said exercise by exercise: a class's sheet must show which exercise of a
    copy does not import or loops forever, not only that something is wrong.
    """
    missing = [name for name in exercise_ids if not (target / f"{name}.py").is_file()]
    present = [e for e in report.exercises if e.id not in missing]
    # Not started: every test failed on a function still « à compléter », however
    # the file was reformatted or commented since it was handed out.
    if present and all(e.not_started for e in present):
        problems = ["copie non commencée : toutes les fonctions sont encore « à compléter »"]
    else:
        problems = [f"{e.id} : {said}" for e in present if (said := _exercise_problem(e))]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        problems.append(f"module{plural} absent{plural} : {', '.join(missing)}")
    return problems


def _exercise_problem(exercise: ExerciseResult) -> str:
    """What keeps one exercise of a copy from being graded on its merits, or ""."""
    if exercise.problem:
        return exercise.problem
    statuses = {t.status for t in exercise.tests}
    if not exercise.tests or Status.PASSED in statuses or Status.FAILED in statuses:
        return ""
    if all(t.cause is Cause.IMPORT for t in exercise.tests):
        first = exercise.tests[0].message.split(" ; ")[0]
        return f"ne s'importe pas ({first})"
    if exercise.not_started:
        return ""  # a zero the student has yet to earn: nothing to check by hand
    if statuses == {Status.TIMEOUT}:
        return "temps dépassé à chaque test (une boucle sans fin ?)"
    return "aucun test n'a pu s'exécuter (erreur ou temps dépassé à chaque test)"


def grade_submission(
    folder: Path,
    exercise_ids: Sequence[str],
    *,
    only: Sequence[str] | None,
    grade: GradeFunction,
    max_scores: Mapping[str, float],
    kit: Mapping[str, bytes] | None = None,
) -> Row:
    """Grade one student's folder; never raises, whatever the folder holds.

    `kit`: the files of the students' repository no student should edit
    (`protected_files`); each one changed in the copy is named in its problem.
    """
    empty = dict.fromkeys(exercise_ids, 0.0)
    max_total = float(sum(max_scores.get(i, 0.0) for i in exercise_ids))
    target = locate(folder, exercise_ids)
    if target is None:
        return Row(
            folder.name,
            empty,
            0.0,
            max_total,
            "aucun module d'exercice trouvé (ni dans exercises/, ni à la racine, ni un niveau "
            "plus bas, ou à plusieurs endroits)",
        )
    try:
        report = grade(target, only, jobs=1)
    except Exception as exc:  # one submission must never stop the class
        detail = " ".join(str(exc).split()) or type(exc).__name__
        return Row(folder.name, empty, 0.0, max_total, f"correction impossible : {detail}")
    scores = {e.id: e.score for e in report.exercises}
    explanations = [e.explanation for e in report.exercises if e.explanation is not None]
    edited = edited_in_copy(target, kit)
    return Row(
        name=folder.name,
        points={name: scores.get(name, 0.0) for name in exercise_ids},
        total=report.score,
        max_score=report.max_score,
        problem=" ; ".join(
            [*_problems(report, target, exercise_ids), *filter(None, [tampering_text(edited)])]
        ),
        explanation=" ".join(" ".join(e.split()) for e in explanations),
        report=report,
        tampered=edited,
    )


class _Reporter(Protocol):
    def done(self, row: Row) -> None: ...


@contextmanager
def _progress(total: int, stream: TextIO, enabled: bool | None) -> Iterator[_Reporter]:
    console = Console(file=stream, highlight=False, markup=False)
    live = console.is_terminal if enabled is None else enabled
    if live:
        with Progress(
            TextColumn("Correction de la classe"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=False,
        ) as bar:
            task = bar.add_task("", total=total)

            class _Bar:
                def done(self, row: Row) -> None:
                    if row.problem:
                        bar.console.print(f"{row.name} : à vérifier — {row.problem}")
                    bar.update(task, advance=1, description=row.name)

            yield _Bar()
    else:

        class _Lines:
            count = 0

            def done(self, row: Row) -> None:
                # Plain lines for a log or a pipe, where a redrawn bar is noise.
                self.count += 1
                score = f"{points(row.total)}/{points(row.max_score)}"
                flag = f" — à vérifier : {row.problem}" if row.problem else ""
                print(f"[{self.count}/{total}] {row.name} : {score}{flag}", file=stream, flush=True)

        yield _Lines()


def _engine(
    stack: ExitStack, out: TextIO, sandbox: Sandbox | None
) -> tuple[GradeFunction, Callable[[], None]]:
    """The real engine, with one fork server of judges shared by the whole class, and its stop.

    Each copy still gets executors, and a sandbox, of its own (`runner.grade`).
    The stop kills every judge at once (Ctrl-C): the copies being graded then
    unwind in moments instead of finishing their tests.
    """
    from grader import runner
    from grader.isolation.judges import JudgeServer, fork_server_available

    sandbox = sandbox or choose(Mode.AUTO)
    if not sandbox.active and sandbox.mode is Mode.AUTO:
        print(f"{PROG} : {sandbox.notice()}", file=out)

    if runner.public_only_kit():
        print(
            "Attention : les tests cachés sont absents ; les notes ne comptent que les tests "
            "publics.",
            file=out,
        )
    if not fork_server_available():
        return partial(runner.grade, sandbox=sandbox), _nothing
    # The heavy imports (pytest, hypothesis) are paid once for the class,
    # not once per submission.
    judges = stack.enter_context(JudgeServer())
    return partial(runner.grade, judges=judges, sandbox=sandbox), judges.stop


def _nothing() -> None:
    pass


def _reference(assignment: str | None, out: TextIO) -> dict[str, bytes] | None:
    """The kit's files as the students received them, or None (said) when git cannot tell."""
    from grader.tools import export

    try:
        planned = export.plan(assignment=assignment)
    except export.ExportError as exc:
        print(f"Fichiers du kit non comparés aux copies : {exc}", file=out)
        return None
    return protected_files({path: file.data for path, file in planned.items()})


def grade_class(
    submissions: Path,
    csv_path: Path | None,
    *,
    only: Sequence[str] | None = None,
    jobs: int | None = None,
    grade: GradeFunction | None = None,
    progress: bool | None = None,
    stream: TextIO | None = None,
    sandbox: Sandbox | None = None,
    reports: Path | None = None,
    assignment: str | None = None,
    html: Path | None = None,
    excel: bool = False,
    roster: Path | None = None,
    shard: Shard | None = None,
    rows_path: Path | None = None,
) -> int:
    """Grade every student folder of `submissions` into `csv_path`; the exit status.

    `jobs` is how many submissions are graded at once (every core by default);
    each runs its exercises one after the other. `grade` replaces the grading
    engine (the kit's tests give a fake one); `progress` forces the bar on or
    off (by default: on when `stream` is a terminal); `sandbox` is the run's
    choice (by default: the sandbox where it works); `reports`, a folder where
    each student's own report is written, to send back (`<eleve>.txt`, the
    terminal report, and `<eleve>.json`, the contract's JSON). Each copy is
    compared with the students' repository of `assignment` (the default one
    for None), and the kit's files it changed are named. `html`: a file for
    the class's page (`grader.tools.class_page`). `excel`: the CSV as French
    Excel opens it (`write_csv`). `roster`: Classroom's roster export, for
    each student's identifier and a row for every student (`grader.tools.roster`).
    `shard`: grade only that part of the class's folders (`shards.pick`);
    `rows_path`: where to write the rows graded, as one record for
    `--merge-rows` (`shards.ShardRecord`), once they are all graded. Either
    or both of `csv_path` and `rows_path`; no roster with a shard (the merge
    applies it, to the whole class).
    """
    out = sys.stderr if stream is None else stream
    if not submissions.is_dir():
        return usage_error(PROG, f"le dossier « {submissions} » n'existe pas", out)
    unwritable = outputs_problem(csv_path, html, reports, rows_path)
    if unwritable is None and csv_path is None and rows_path is None:
        unwritable = "rien à écrire : donnez --csv, ou --rows pour une partie de la classe"
    if unwritable is None and shard is not None and roster is not None:
        unwritable = (
            "--roster ne se combine pas avec --shard : donnez-le à --merge-rows, qui voit toute "
            "la classe"
        )
    if unwritable is not None:
        return usage_error(PROG, unwritable, out)
    catalogue = load_catalogue()
    exercise_ids = list(only) if only else list(catalogue.default.exercises)
    folders = find_submissions(submissions)
    # Not one copy anywhere: the folder given is not a class (a single copy, a typo).
    if not any(locate(folder, exercise_ids) is not None for folder in folders):
        return usage_error(
            PROG,
            f"aucune copie d'élève dans « {submissions} » (chaque copie est un dossier : ses "
            "modules dans exercises/, à sa racine ou un niveau plus bas)",
            out,
        )
    try:
        students = read_roster(roster) if roster is not None else None
    except RosterError as exc:
        return usage_error(PROG, exc, out)
    found = owners([f.name for f in folders], students or [])
    max_scores = {e.id: e.max_score for e in catalogue.exercises}
    kit = _reference(assignment, out)
    # Every part of the class sees the same folders: a report's file name is the same
    # whichever part graded its copy.
    files = report_names([f.name for f in folders])
    part = shard or Shard(1, 1)
    graded = shards.pick(folders, part)
    workers = max(1, min(jobs or default_workers(), len(graded)))
    rows: dict[str, Row] = {}
    raw: dict[str, Row] = {}  # before the roster: what a part's record holds

    with ExitStack() as stack:
        engine, stop = (grade, _nothing) if grade is not None else _engine(stack, out, sandbox)

        def grade_one(folder: Path) -> Row:
            return grade_submission(
                folder, exercise_ids, only=only, grade=engine, max_scores=max_scores, kit=kit
            )

        reporter = stack.enter_context(_progress(len(graded), out, progress))
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="copie")
        try:
            futures = {executor.submit(grade_one, f): f for f in graded}
            for future in as_completed(futures):
                raw_row = future.result()
                raw[raw_row.name] = raw_row
                row = raw_row if students is None else with_owner(raw_row, found.get(raw_row.name))
                rows[row.name] = row
                if reports is not None:
                    write_reports(row, reports, files[row.name])
                reporter.done(row)
                # Rewritten after each copy: if the run is stopped (Ctrl-C, a
                # copy that kills the grader), the grades so far are kept.
                if csv_path is not None:
                    done = [rows[f.name] for f in graded if f.name in rows]
                    write_csv(done, exercise_ids, csv_path, excel=excel, identifiers=bool(students))
        except BaseException:
            stop()
            raise
        finally:
            # On Ctrl-C, submissions not yet started are dropped at once.
            executor.shutdown(wait=True, cancel_futures=True)

    if rows_path is not None:
        # Written once, whole, when every copy of the part is graded: a merge
        # never takes a part that was stopped halfway.
        names = [f.name for f in folders]
        done = [raw[f.name] for f in graded]
        kind = assignment or catalogue.default.id
        shards.write_record(rows_path, kind, exercise_ids, submissions.name, names, part, done)
    ordered = [rows[f.name] for f in graded]
    if csv_path is None:  # a part of the class, for --merge-rows
        count = f"{copies(len(ordered), graded=True)} sur {len(folders)}"
        print(f"Partie {part} : {count}, lignes dans {rows_path}", file=out)
        return EXIT_OK
    write_class(
        ordered,
        exercise_ids,
        csv_path,
        html=html,
        excel=excel,
        students=students,
        found=found,
        max_total=float(sum(max_scores.get(i, 0.0) for i in exercise_ids)),
        classe=submissions.name,
        stream=out,
    )
    return EXIT_OK
