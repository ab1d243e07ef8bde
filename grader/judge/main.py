"""`python -m grader.judge`: one exercise's suites, judged in a process of their own.

The runner (`grader.runner`) starts one judge per exercise, several at a
time. The judge runs pytest on the exercise's suites with
`grader.judge.plugin`; the student's code runs in the executor the plugin
starts (`grader.executor`), never here. Results go to the file named by
`--results`, as JSON lines.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

SUITES = Path(__file__).resolve().parent.parent / "suites"

PLUGINS = (
    *("-p", "grader.judge.plugin"),
    *("-p", "_hypothesis_pytestplugin"),
    # pytest's own plugins that a grading run never needs; the last two force
    # full garbage collections at exit.
    *("-p", "no:cacheprovider"),
    *("-p", "no:doctest"),
    *("-p", "no:junitxml"),
    *("-p", "no:pastebin"),
    *("-p", "no:unraisableexception"),
    *("-p", "no:threadexception"),
)


def make_undumpable() -> None:
    # Other processes of the same user (the student's executor among them)
    # cannot open this one's /proc/<pid>/fd, mem or environ: the results file
    # and the suites in memory stay out of reach. Linux only; harmless elsewhere.
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.judge")
    parser.add_argument("--target", required=True)
    parser.add_argument("--exercise", required=True)
    parser.add_argument("--results", required=True)
    parser.add_argument("--time-limit", type=float, required=True)
    parser.add_argument("--skip", default="")
    parser.add_argument("--public-only", action="store_true")
    parser.add_argument("--suites", default=str(SUITES))
    parser.add_argument("--explanation", default="")
    # "-": read on standard input, where a plain subprocess's argv would show it.
    parser.add_argument("--key", default="")
    parser.add_argument("--executors", default="", help="socket of the executor fork server")
    parser.add_argument("--sandboxed", action="store_true", help="that server is sandboxed")
    args = parser.parse_args(argv)
    key = sys.stdin.readline().strip() if args.key == "-" else args.key

    suites = Path(args.suites)
    files = [suites / "public" / f"test_{args.exercise}.py"]
    hidden = suites / "hidden" / f"test_{args.exercise}.py"
    if not args.public_only and hidden.is_file():
        files.append(hidden)
    make_undumpable()
    import pytest

    # Only the plugins the suites use, named here: installed plugins found by
    # entry point would cost every child their start-up, and could change a
    # verdict from one machine to the next.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"

    code = pytest.main(
        [
            *(str(f) for f in files if f.is_file()),
            "-c",
            str(SUITES / "pytest.ini"),
            "--rootdir",
            str(suites),
            *PLUGINS,
            "-q",
            "-s",
            "--assert=plain",
            "--no-header",
            "-o",
            "console_output_style=classic",
            "--import-mode=importlib",
            "--grader-target",
            args.target,
            "--grader-results",
            args.results,
            "--grader-time-limit",
            str(args.time_limit),
            "--grader-skip",
            args.skip,
            "--grader-explanation",
            args.explanation,
            "--grader-key",
            key,
            "--grader-executors",
            args.executors,
            *(["--grader-sandboxed"] if args.sandboxed else []),
        ]
    )
    sys.stdout.flush()
    # Leave at once: the executor is already gone (pytest_unconfigure).
    os._exit(0 if code in (0, 1) else 3)


def run_forked(argv: list[str], workdir: str) -> None:
    """Entry point of a judge forked from the fork server (see grader.zygote)."""
    # A session of its own, so the runner can kill the judge; and no terminal.
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.chdir(workdir)
    main(argv)
