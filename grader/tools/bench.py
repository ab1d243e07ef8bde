"""How fast the grader is: ``python -m grader.tools.bench`` (``nox -s bench``).

Grades the reference solutions several times, each time as a student would,
``python -m grader`` in a new process (interpreter start-up included), and
prints for the whole kit and for each exercise: the median real time, the
virtual seconds the exercise's tests simulated, their ratio, and the peak
memory. Per-exercise figures come from ``--timing FILE``, which the runner
fills from ``Report.extra["timing"]``; the JSON report itself is left as the
contract has it.

With ``--students N``, it also times the grading of a small class
(``--submissions``), made of N copies of the solutions.

It also counts CPU seconds (user and system, of the grader and every process
it started: judges, executors, the fork server), which a loaded machine does
not inflate the way it inflates wall time, and sets them beside two figures
measured in the same run, run for run interleaved:

- the import floor, ``python -c "import pytest, hypothesis, freezegun"``;
- with ``--baseline DIR``, the same grade by another copy of the kit (for
  example the commit before a change, ``git worktree add DIR COMMIT``), so a
  change's cost is a ratio measured on the same machine at the same time;
- where the sandbox works, the same grade with ``--sandbox off``: the
  sandbox's cost, per exercise and for the whole grade.

This measures real time on purpose: it is a benchmark, never a test verdict.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.isolation.sandbox import Mode, choose
from grader.metadata import load_catalogue

PROG = "python -m grader.tools.bench"
TARGET_MEDIAN_SECONDS = 1.5
TARGET_SPEEDUP = 100.0  # virtual seconds per real second
TARGET_PEAK_MB = 200.0
TARGET_SANDBOX_RATIO = 1.3  # a sandboxed grade against the same grade without it


@dataclass(frozen=True)
class Run:
    """One ``python -m grader`` process, as seen from outside and from its timing file."""

    wall: float
    cpu: float
    score: float
    max_score: float
    timing: dict[str, dict[str, float]]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(
    command: list[str], **kwargs: object
) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run a command; its result, wall seconds and CPU seconds (its whole process tree)."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", check=False, **kwargs
    )  # type: ignore[call-overload]
    return done, time.perf_counter() - started, _children_cpu() - cpu_before


def grade_once(
    target: Path,
    workdir: Path,
    jobs: int | None,
    kit: Path | None = None,
    sandbox: str | None = None,
) -> Run:
    timing_file = workdir / "timing.json"
    command = [sys.executable, "-m", "grader", "--target", str(target), "--format", "json"]
    command += ["--timing", str(timing_file)]
    if sandbox is not None:
        command += ["--sandbox", sandbox]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    # Another copy of the kit: its own grader package, found first.
    env = None if kit is None else {**os.environ, "PYTHONPATH": str(kit)}
    done, wall, cpu = _timed(command, env=env, cwd=str(kit) if kit else None)
    if done.returncode != 0:
        raise SystemExit(f"la correction a échoué (code {done.returncode}) : {done.stderr.strip()}")
    report = json.loads(done.stdout)
    timing = json.loads(timing_file.read_text(encoding="utf-8"))
    return Run(wall, cpu, float(report["score"]), float(report["max_score"]), timing)


def import_floor() -> float:
    """CPU seconds of an interpreter that only imports the grading tools."""
    _, _, cpu = _timed([sys.executable, "-c", "import pytest, hypothesis, freezegun"])
    return cpu


def peak_memory_mb() -> float:
    """Largest resident size reached by any finished child process (and theirs)."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # Linux counts kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MANQUÉ"


def _ratio(virtual: float, real: float) -> float:
    return virtual / real if real > 0 else 0.0


def report_runs(runs: Sequence[Run], exercise_ids: Sequence[str]) -> tuple[list[str], bool]:
    lines: list[str] = []
    ok = True
    header = f"{'':24} {'réel (médiane)':>15} {'virtuel':>10} {'virtuel/réel':>13}"
    lines.append(header)
    total_virtual = 0.0
    for exercise_id in exercise_ids:
        reals = [r.timing[exercise_id]["real"] for r in runs if exercise_id in r.timing]
        virtuals = [r.timing[exercise_id]["virtual"] for r in runs if exercise_id in r.timing]
        if not reals:
            lines.append(f"{exercise_id:24} {'(pas de mesure)':>15}")
            continue
        real = statistics.median(reals)
        virtual = statistics.median(virtuals)
        total_virtual += virtual
        lines.append(
            f"{exercise_id:24} {real:13.3f} s {virtual:8.1f} s {_ratio(virtual, real):11.0f} ×"
        )
    wall = statistics.median(r.wall for r in runs)
    speedup = _ratio(total_virtual, wall)
    lines.append(f"{'tout le kit':24} {wall:13.3f} s {total_virtual:8.1f} s {speedup:11.0f} ×")
    lines.append("")
    wall_ok = wall < TARGET_MEDIAN_SECONDS
    speed_ok = speedup >= TARGET_SPEEDUP
    lines.append(
        f"correction complète : médiane {wall:.3f} s, objectif < {TARGET_MEDIAN_SECONDS} s "
        f"[{_verdict(wall_ok)}] (min {min(r.wall for r in runs):.3f} s, "
        f"max {max(r.wall for r in runs):.3f} s)"
    )
    lines.append(
        f"vitesse : {speedup:.0f} s virtuelles par seconde réelle, objectif >= "
        f"{TARGET_SPEEDUP:.0f} [{_verdict(speed_ok)}]"
    )
    ok = wall_ok and speed_ok
    scores = {(r.score, r.max_score) for r in runs}
    if len(scores) != 1:
        lines.append(f"ATTENTION : la note a changé d'un passage à l'autre : {sorted(scores)}")
        ok = False
    return lines, ok


def report_sandbox(
    sandboxed: Sequence[Run], unsandboxed: Sequence[Run], exercise_ids: Sequence[str]
) -> tuple[list[str], bool]:
    """The sandbox's cost: real seconds per exercise, CPU and wall ratios of the whole grade."""
    lines = ["bac à sable : coût mesuré contre --sandbox off, dans le même passage"]
    for exercise_id in exercise_ids:
        on = [r.timing[exercise_id]["real"] for r in sandboxed if exercise_id in r.timing]
        off = [r.timing[exercise_id]["real"] for r in unsandboxed if exercise_id in r.timing]
        if on and off:
            cost = statistics.median(on) - statistics.median(off)
            lines.append(f"  {exercise_id:22} {cost * 1000:+8.0f} ms réels")
    cpu = _ratio(
        statistics.median(r.cpu for r in sandboxed), statistics.median(r.cpu for r in unsandboxed)
    )
    wall = _ratio(
        statistics.median(r.wall for r in sandboxed),
        statistics.median(r.wall for r in unsandboxed),
    )
    ok = wall <= TARGET_SANDBOX_RATIO
    lines.append(
        f"  correction complète : CPU {cpu:.2f} ×, réel {wall:.2f} × sans bac à sable, "
        f"objectif <= {TARGET_SANDBOX_RATIO} [{_verdict(ok)}]"
    )
    return lines, ok


def bench_class(solutions: Path, students: int, jobs: int | None) -> list[str]:
    """Time ``--submissions`` on a class made of copies of the solutions."""
    with tempfile.TemporaryDirectory(prefix="bench-classe-") as tmp:
        submissions = Path(tmp) / "copies"
        # The layout of a bulk clone: one repository per student, with exercises/.
        for n in range(1, students + 1):
            shutil.copytree(solutions, submissions / f"eleve_{n:02d}" / "exercises")
        command = [sys.executable, "-m", "grader", "--submissions", str(submissions)]
        command += ["--csv", str(Path(tmp) / "notes.csv")]
        if jobs is not None:
            command += ["--jobs", str(jobs)]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
    if done.returncode != 0:
        return [f"classe : échec (code {done.returncode}) : {done.stderr.strip()[:300]}"]
    return [
        f"classe : {students} copies en {wall:.2f} s, soit {students / wall:.1f} copies par "
        f"seconde ({wall / students:.2f} s par copie)"
    ]


def main(argv: Sequence[str] | None = None) -> int:
    from grader import usage

    parser = usage.Parser(prog=PROG, description="Mesure la vitesse du correcteur.")
    parser.add_argument("--runs", type=int, default=10, help="nombre de corrections (10)")
    parser.add_argument("--target", default="solutions", help="dossier corrigé (solutions)")
    parser.add_argument("--jobs", type=int, default=None, help="passé au correcteur")
    parser.add_argument(
        "--students", type=int, default=10, help="taille de la classe mesurée (10 ; 0 : aucune)"
    )
    parser.add_argument(
        "--check", action="store_true", help="code de sortie 1 si un objectif est manqué"
    )
    parser.add_argument(
        "--baseline",
        default=None,
        help="une autre copie du kit, mesurée dans le même passage (ex. : git worktree)",
    )
    try:
        args = parser.parse_args(argv)
    except usage.UsageError as exc:
        return usage.usage_error(PROG, exc)
    target = Path(args.target).resolve()
    baseline = Path(args.baseline).resolve() if args.baseline else None
    exercise_ids = load_catalogue().default.exercises
    sandbox = choose(Mode.AUTO)

    print(f"Correction de {target}/ : {args.runs} passages de python -m grader (démarrage compris)")
    print("bac à sable : actif" if sandbox.active else f"bac à sable : inactif ({sandbox.reason})")
    runs: list[Run] = []
    floors: list[float] = []
    base_runs: list[Run] = []
    off_runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for _ in range(max(1, args.runs)):
            # Interleaved, so that a change in the machine's load touches them all alike.
            runs.append(grade_once(target, Path(tmp), args.jobs))
            floors.append(import_floor())
            if sandbox.active:
                off_runs.append(grade_once(target, Path(tmp), args.jobs, sandbox="off"))
            if baseline is not None:
                base_runs.append(grade_once(baseline / "solutions", Path(tmp), args.jobs, baseline))
    lines, ok = report_runs(runs, exercise_ids)
    if off_runs:
        sandbox_lines, sandbox_ok = report_sandbox(runs, off_runs, exercise_ids)
        lines += sandbox_lines
        ok = ok and sandbox_ok
    cpu = statistics.median(r.cpu for r in runs)
    floor = statistics.median(floors)
    lines.append(
        f"CPU : {cpu:.2f} s pour une correction complète (médiane), plancher des imports "
        f"{floor:.2f} s, rapport {_ratio(cpu, floor):.1f} ×"
    )
    if base_runs:
        base_cpu = statistics.median(r.cpu for r in base_runs)
        base_wall = statistics.median(r.wall for r in base_runs)
        lines.append(
            f"référence {baseline} : CPU {base_cpu:.2f} s, réel {base_wall:.3f} s ; "
            f"rapport CPU de cette version à la référence : {_ratio(cpu, base_cpu):.2f} ×"
        )
    peak = peak_memory_mb()
    memory_ok = peak < TARGET_PEAK_MB
    lines.append(
        f"mémoire : {peak:.0f} Mo au plus pour un processus, objectif < {TARGET_PEAK_MB:.0f} Mo "
        f"[{_verdict(memory_ok)}]"
    )
    print("\n".join(lines))
    if args.students > 0:
        print("\n".join(bench_class(target, args.students, args.jobs)))
    return 1 if args.check and not (ok and memory_ok) else 0


if __name__ == "__main__":
    sys.exit(main())
