"""`python -m grader.child`: one exercise's tests, in a process of their own.

The parent (`grader.runner`) starts one of these per exercise so that nothing
the student's code does (an endless loop, `os._exit`, a flood of output, a
monkeypatched module) can reach the grader itself or another exercise. Results
go to the file named by `--results`, as JSON lines; standard output and error
belong to the student and are thrown away by the parent.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from grader.harness import OsExitCalled

SUITES = Path(__file__).with_name("suites")

PLUGINS = (
    *("-p", "grader.plugin"),
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


def _forbid_os_exit(status: int) -> NoReturn:
    raise OsExitCalled(status)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.child")
    parser.add_argument("--target", required=True)
    parser.add_argument("--exercise", required=True)
    parser.add_argument("--results", required=True)
    parser.add_argument("--watchdog", required=True)
    parser.add_argument("--time-limit", type=float, required=True)
    parser.add_argument("--skip", default="")
    parser.add_argument("--public-only", action="store_true")
    parser.add_argument("--suites", default=str(SUITES))
    parser.add_argument("--explanation", default="")
    args = parser.parse_args(argv)

    suites = Path(args.suites)
    files = [suites / "public" / f"test_{args.exercise}.py"]
    hidden = suites / "hidden" / f"test_{args.exercise}.py"
    if not args.public_only and hidden.is_file():
        files.append(hidden)
    real_exit = os._exit
    # The student's os._exit becomes an exception the test reports; a real
    # crash is still caught by the parent, which sees the process die.
    os._exit = _forbid_os_exit

    import pytest  # after the patch: nothing of the student's runs before this point

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
            "--grader-watchdog",
            args.watchdog,
            "--grader-time-limit",
            str(args.time_limit),
            "--grader-skip",
            args.skip,
            "--grader-explanation",
            args.explanation,
        ]
    )
    sys.stdout.flush()
    # Leave at once: a thread or an atexit hook the student left behind must
    # not keep the process (and the parent) waiting.
    real_exit(0 if code in (0, 1) else 3)


def run_forked(argv: list[str], workdir: str) -> None:
    """Entry point of a child forked from the fork server (see grader.zygote)."""
    # A session of its own, so the parent can kill the child and anything it
    # started; and no terminal: whatever the student prints goes nowhere.
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.chdir(workdir)
    main(argv)


if __name__ == "__main__":
    sys.exit(main())
