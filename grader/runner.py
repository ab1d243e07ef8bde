"""The parent side of grading: one child process per exercise, watched in real time.

Student code never runs here, nor in the judge. Each exercise's tests run in a
judge (`python -m grader.judge`), which runs the student's code in an executor
of its own and streams outcomes as JSON lines to a file. The parent reads that
file after the judge ends (or is killed) and turns outcomes into points from
the catalogue:

- a test that started but never reported: the judge itself was stopped (killed
  by the student's code, or past the parent's backstop): `error` or `timeout`;
- tests that never started because the judge died: a new judge runs them.

A test the parent cannot account for never earns its points.

Kept in one module on purpose: reading a judge's events, re-running the
tests a dead judge never started, and turning outcomes into points are the
one loop of `grade_exercise`, and every rule above lives in it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from grader import protocol as p
from grader.isolation.judges import (
    JudgeServer,
    JudgeServerLost,
    child_environment,
    fork_server_available,
)
from grader.isolation.sandbox import Executors, Mode, Sandbox, choose
from grader.metadata import SUITES, Catalogue, ExerciseSpec, TestSpec, load_catalogue
from grader.results import (
    Cause,
    Diagnostic,
    ExerciseResult,
    Report,
    Status,
    TestResult,
    Timeline,
)
from grader.sealed import new_key, unseal
from grader.usage import check_target, chosen_exercises

# Real seconds one test may run. The solutions' slowest test takes a few
# hundredths of a second; the margin absorbs a loaded machine.
DEFAULT_TIME_LIMIT = 5.0

# Extra real seconds the parent grants a child beyond its tests' limits
# (process start, pytest's collection) before it kills it outright.
_START_GRACE = 20.0

_STATUSES = frozenset(s.value for s in Status)


@dataclass
class _Events:
    started: list[str] = field(default_factory=list)
    outcomes: dict[str, p.TestOutcome] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    explanation: str | None = None

    def add_diagnostic(self, diagnostic: Diagnostic) -> None:
        # Once per mistake and place, whatever the wording.
        key = (diagnostic.kind, diagnostic.file, diagnostic.line)
        if all((d.kind, d.file, d.line) != key for d in self.diagnostics):
            self.diagnostics.append(diagnostic)

    def merge(self, other: _Events) -> None:
        self.started.extend(other.started)
        for test_id, outcome in other.outcomes.items():
            self.outcomes.setdefault(test_id, outcome)
        for diagnostic in other.diagnostics:
            self.add_diagnostic(diagnostic)
        if self.explanation is None:
            self.explanation = other.explanation


def _read_events(path: Path, key: str, into: _Events) -> None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    for raw in text.splitlines():
        line = unseal(key, raw)
        if line is None:
            continue  # not the judge's: forged, or cut short by a kill
        try:
            record = p.decode_line(line, p.RESULTS)
        except p.ProtocolError:
            continue
        if isinstance(record, p.TestStarted):
            into.started.append(record.test)
        elif isinstance(record, p.TestOutcome):
            if record.status in _STATUSES:
                into.outcomes.setdefault(record.test, record)
        elif isinstance(record, p.Diagnosed):
            into.add_diagnostic(Diagnostic(record.kind, record.file, record.line, record.message))
        elif isinstance(record, p.Explained) and into.explanation is None:
            into.explanation = record.text


def _run_child(
    target: Path,
    exercise: ExerciseSpec,
    skip: set[str],
    workdir: Path,
    attempt: int,
    time_limit: float,
    public_only: bool,
    expected: int,
    suites: Path,
    judges: JudgeServer | None,
    executors: Executors | None,
) -> tuple[Path, str, int | None]:
    results = workdir / f"results-{attempt}.jsonl"
    results.touch()
    socket = executors.socket() if executors is not None else None
    task = p.JudgeTask(
        target=str(target),
        exercise=exercise.id,
        results=str(results),
        key=new_key(),
        time_limit=time_limit,
        suites=str(suites),
        skip=tuple(sorted(skip)),
        public_only=public_only,
        explanation=exercise.explanation or "",
        executors=socket or "",
        sandboxed=executors is not None and executors.sandbox.active,
    )
    # The child stops itself at each test's limit; this is the backstop.
    hard_limit = _START_GRACE + time_limit * (expected + 1)
    if judges is not None:
        # The fork server's request pipe is private: the key can ride in the task.
        # JudgeServerLost goes up to the caller, which runs the tests again.
        return results, task.key, judges.run(task, workdir, hard_limit)
    return results, task.key, _run_subprocess(task, workdir, hard_limit)


def _run_subprocess(task: p.JudgeTask, workdir: Path, hard_limit: float) -> int | None:
    process = subprocess.Popen(
        [sys.executable, "-m", "grader.judge"],
        stdin=subprocess.PIPE,  # the task with its key, which a command line would show
        stdout=subprocess.DEVNULL,  # the student's prints: never read, never kept
        stderr=subprocess.DEVNULL,
        cwd=str(workdir),
        env=child_environment(),
        start_new_session=True,  # so a kill takes the student's own children too
    )
    assert process.stdin is not None
    process.stdin.write((p.encode_line(task) + "\n").encode("utf-8"))
    process.stdin.close()
    try:
        return process.wait(timeout=hard_limit)
    except subprocess.TimeoutExpired:
        _kill(process)
        return None


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, 9)
    except OSError:
        process.kill()
    process.wait()


def _tests_to_run(exercise: ExerciseSpec, public_only: bool, suites: Path) -> list[TestSpec]:
    hidden_file = exercise.suite_file(True, suites)
    return [
        t for t in exercise.tests if not t.hidden or (not public_only and hidden_file.is_file())
    ]


def grade_exercise(
    target: Path,
    exercise: ExerciseSpec,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    public_only: bool = False,
    suites: Path = SUITES,
    judges: JudgeServer | None = None,
    executors: Executors | None = None,
) -> tuple[ExerciseResult, dict[str, float]]:
    """Grade one exercise of the student's folder; also returns real and virtual seconds."""
    started_at = time.perf_counter()
    tests = _tests_to_run(exercise, public_only, suites)
    ids = {t.id for t in tests}
    if not (target / f"{exercise.id}.py").is_file():
        message = f"le fichier {exercise.id}.py est introuvable dans le dossier {target.name}/"
        results = tuple(_result(t, Status.ERROR, message) for t in tests)
        return ExerciseResult(exercise.id, exercise.title, results, problem=message), {
            "real": time.perf_counter() - started_at,
            "virtual": 0.0,
        }

    events = _Events()
    verdicts: dict[str, tuple[Status, str]] = {}
    lost: dict[str, int] = {}
    isolate = False  # one test per child, once student code has killed the fork server
    order = [t.id for t in tests]
    with tempfile.TemporaryDirectory(prefix=f"grader-{exercise.id}-") as tmp:
        workdir = Path(tmp)
        for attempt in range(3 * len(tests) + 3):
            remaining = [t for t in order if t not in events.outcomes and t not in verdicts]
            if not remaining:
                break
            batch = remaining[:1] if isolate else remaining
            skip = ids - set(batch)
            try:
                results_file, key, code = _run_child(
                    target,
                    exercise,
                    skip,
                    workdir,
                    attempt,
                    time_limit,
                    public_only,
                    len(batch),
                    suites,
                    judges,
                    executors,
                )
            except JudgeServerLost:
                # The child was orphaned and may have run on for a while: nothing
                # it wrote counts. Which test did it is only known when tests run
                # one by one; once may be bad luck (another copy killed the shared
                # server), twice is that test's own doing.
                if isolate:
                    lost[batch[0]] = lost.get(batch[0], 0) + 1
                    if lost[batch[0]] >= 2:
                        verdicts[batch[0]] = (
                            Status.ERROR,
                            "le programme a arrêté le processus du correcteur pendant ce test "
                            "(os.kill sur son processus parent ?) ; une fonction doit seulement "
                            "renvoyer son résultat",
                        )
                isolate = True
                continue
            attempt_events = _Events()
            _read_events(results_file, key, attempt_events)
            events.merge(attempt_events)
            unfinished = [
                t for t in attempt_events.started if t not in events.outcomes and t in ids
            ]
            for test_id in unfinished:
                # The judge words every stop of the executor itself; a test it
                # never reported means the judge itself was stopped.
                if code is None:
                    verdicts[test_id] = (
                        Status.TIMEOUT,
                        f"le test a dépassé {time_limit:g} s de temps réel : une boucle sans fin ?",
                    )
                else:
                    verdicts[test_id] = (
                        Status.ERROR,
                        "le programme a arrêté le processus du correcteur pendant ce test "
                        f"(code de sortie {code} ; os.kill sur son processus parent ?) : une "
                        "fonction doit seulement renvoyer son résultat",
                    )
            if not attempt_events.outcomes and not unfinished:
                # The child ran nothing: the suite itself could not start.
                for test_id in ids - set(events.outcomes) - set(verdicts):
                    verdicts[test_id] = (
                        Status.ERROR,
                        "ce test n'a pas pu être lancé (erreur interne du correcteur) ; "
                        "signalez-le à l'enseignant",
                    )
                break

    virtual = 0.0
    results_list: list[TestResult] = []
    for spec in tests:
        if spec.id in events.outcomes:
            outcome = events.outcomes[spec.id]
            virtual += outcome.virtual
            results_list.append(
                _result(
                    spec,
                    Status(outcome.status),
                    outcome.message,
                    outcome.duration,
                    Cause.read(outcome.cause),
                    outcome.fault,
                    outcome.timeline,
                )
            )
        else:
            status, message = verdicts.get(
                spec.id,
                (Status.ERROR, "ce test n'a pas été exécuté (erreur interne du correcteur)"),
            )
            # A test stopped at its real-time limit took that long: the
            # formats that show durations (JUnit) say so.
            spent = time_limit if status is Status.TIMEOUT else 0.0
            results_list.append(_result(spec, status, message, spent))
    result = ExerciseResult(
        exercise.id,
        exercise.title,
        tuple(results_list),
        diagnostics=tuple(events.diagnostics),
        explanation=events.explanation,
    )
    return result, {"real": time.perf_counter() - started_at, "virtual": virtual}


def _result(
    spec: TestSpec,
    status: Status,
    message: str,
    duration: float = 0.0,
    cause: Cause = Cause.OTHER,
    fault: str = "",
    timeline: Timeline | None = None,
) -> TestResult:
    return TestResult(
        id=spec.id,
        title=spec.title,
        hidden=spec.hidden,
        status=status,
        score=spec.points if status is Status.PASSED else 0.0,
        max_score=spec.points,
        message=message,
        hint=spec.hint if status is not Status.PASSED else "",
        duration=duration,
        cause=cause if status is not Status.PASSED else Cause.OTHER,
        fault=fault if status is not Status.PASSED else "",
        timeline=timeline if status is not Status.PASSED else None,
    )


def public_only_kit(suites: Path = SUITES) -> bool:
    """True when the hidden tests are not shipped (the students' template)."""
    hidden = suites / "hidden"
    return not any(hidden.glob("test_*.py"))


def grade(
    target: Path,
    only: Sequence[str] | None = None,
    *,
    jobs: int | None = None,
    public_only: bool = False,
    time_limit: float = DEFAULT_TIME_LIMIT,
    catalogue: Catalogue | None = None,
    suites: Path = SUITES,
    judges: JudgeServer | None = None,
    sandbox: Sandbox | None = None,
    modules_required: bool = True,
) -> Report:
    """Grade the exercise modules found in `target`.

    Without `modules_required`, a folder with no module at all is graded
    too (every exercise 0, its file said missing) instead of refused.

    `judges` lets several grades share one fork server of judges (batch
    grading); without one, this call starts its own where the platform can
    fork. `sandbox` is the run's choice (`grader.isolation.sandbox.choose`); without
    one, the sandbox is used where it works. Student code runs in executors
    of this call's own, which end with it.
    """
    if judges is None and fork_server_available():
        with JudgeServer() as own_judges:
            return grade(
                target,
                only,
                jobs=jobs,
                public_only=public_only,
                time_limit=time_limit,
                catalogue=catalogue,
                suites=suites,
                judges=own_judges,
                sandbox=sandbox,
                modules_required=modules_required,
            )
    catalogue = catalogue or load_catalogue()
    target = target.resolve()
    chosen = chosen_exercises(catalogue, only)
    check_target(target, chosen, modules_required=modules_required)
    public_only = public_only or public_only_kit(suites)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(chosen)))
    executors: Executors | None = None
    if fork_server_available():
        # This copy's own: everything its code starts is gone when it closes.
        executors = Executors(sandbox or choose(Mode.AUTO), target)
    threads = ThreadPoolExecutor(max_workers=workers)
    try:
        graded = list(
            threads.map(
                lambda e: grade_exercise(
                    target,
                    e,
                    time_limit=time_limit,
                    public_only=public_only,
                    suites=suites,
                    judges=judges,
                    executors=executors,
                ),
                chosen,
            )
        )
    except BaseException:
        # Ctrl-C (or SIGTERM, see `grader.cli`): the judges are killed now,
        # so the threads waiting on them end within moments rather than
        # when their tests would have.
        if judges is not None:
            judges.stop()
        raise
    finally:
        if executors is not None:
            executors.close()
        threads.shutdown(wait=True, cancel_futures=True)
    return Report(
        exercises=tuple(result for result, _ in graded),
        public_only=public_only,
        target=str(target),
        extra={"timing": {r.id: timing for r, timing in graded}},
    )
