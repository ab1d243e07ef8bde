"""`python -m grader.judge`: one exercise's suites, judged in a process of their own.

The runner (`grader.runner`) starts one judge per exercise, several at a
time. The judge runs pytest on the exercise's suites with
`grader.judge.plugin`; the student's code runs in the executor the plugin
starts (`grader.executor`), never here. What to judge comes as one
`protocol.JudgeTask` (from the fork server's request, or on standard input);
results go to the file it names, as sealed `protocol` records, one per line.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from grader import protocol as p
from grader.judge.plugin import TASK

SUITES = Path(__file__).resolve().parent.parent / "suites"

PLUGINS = (
    *("-p", "_hypothesis_pytestplugin"),
    # Every test draws from the same seed: its inputs depend on its strategies
    # only, never on the wording of its body (see plugin.hypothesis_profile).
    "--hypothesis-seed=0",
    # pytest's own plugins that a grading run never needs; the last two force
    # full garbage collections at exit.
    *("-p", "no:cacheprovider"),
    *("-p", "no:doctest"),
    *("-p", "no:junitxml"),
    *("-p", "no:pastebin"),
    *("-p", "no:unraisableexception"),
    *("-p", "no:threadexception"),
)
OPTIONS = (
    "-q",
    "-s",
    "--assert=plain",
    "--no-header",
    *("-o", "console_output_style=classic"),
    "--import-mode=importlib",
)

# What `warm_up` runs: a property test that draws the kinds of data the suites draw.
WARM_UP_TEST = """
from hypothesis import given, strategies as st


@st.composite
def cases(draw):
    n = draw(st.integers(min_value=1, max_value=5))
    return draw(st.lists(st.sampled_from("abcdef"), min_size=n, max_size=n, unique=True))


@given(cases(), st.lists(st.floats(0, 5)), st.text(max_size=5), st.booleans())
def test_warm_up(names, delays, text, flag):
    assert len(names) == len(set(names))
"""


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


class TaskCarrier:
    """Hands the judge's task to the plugin, in-process: no option string carries it."""

    def __init__(self, task: p.JudgeTask) -> None:
        self.task = task

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[TASK] = self.task


def main(task: p.JudgeTask) -> int:
    suites = Path(task.suites)
    files = [suites / "public" / f"test_{task.exercise}.py"]
    hidden = suites / "hidden" / f"test_{task.exercise}.py"
    if not task.public_only and hidden.is_file():
        files.append(hidden)
    make_undumpable()

    # Only the plugins the suites use, named here: installed plugins found by
    # entry point would cost every child their start-up, and could change a
    # verdict from one machine to the next.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"

    code = pytest.main(
        [
            *(str(f) for f in files if f.is_file()),
            *("-c", str(SUITES / "pytest.ini")),
            *("--rootdir", str(suites)),
            *("-p", "grader.judge.plugin"),
            *PLUGINS,
            *OPTIONS,
        ],
        plugins=[TaskCarrier(task)],
    )
    sys.stdout.flush()
    # Leave at once: the executor is already gone (pytest_unconfigure).
    os._exit(0 if code in (0, 1) else 3)


def warm_up() -> None:
    """One tiny session of pytest and Hypothesis, run by the judges' fork server before any fork.

    What a first session pays once (lazy imports, pytest's and Hypothesis's
    caches) is then paid in the server, not in every judge: a fifth of a
    judge's CPU time, measured on the five exercises. Its output goes wherever standard output goes
    (the server points it at /dev/null first). The judges' Hypothesis profile
    is loaded before, so that nothing this session caches depends on the
    grader's own source (see `plugin.hypothesis_profile`).
    """
    from grader.judge.plugin import hypothesis_profile

    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    hypothesis_profile()
    with tempfile.TemporaryDirectory(prefix="judge-warm-up-") as folder:
        test = Path(folder) / "test_warm_up.py"
        test.write_text(WARM_UP_TEST, encoding="utf-8")
        ini = str(SUITES / "pytest.ini")
        pytest.main([str(test), *("-c", ini), *("--rootdir", folder), *PLUGINS, *OPTIONS])
    # The warm-up's own module is no judge's business.
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", "") or "").startswith(folder):
            del sys.modules[name]


def run_subprocess() -> int:
    """`python -m grader.judge`: the task is one line on standard input, key included."""
    try:
        task = p.decode_line(sys.stdin.readline(), p.JUDGE_TASKS)
    except p.ProtocolError as exc:
        print(f"python -m grader.judge : tâche illisible ({exc})", file=sys.stderr)
        return 2
    return main(task)


def run_forked(task: dict[str, Any], workdir: str) -> None:
    """Entry point of a judge forked from `grader.isolation.judge_forkserver`."""
    # A session of its own, so the runner can kill the judge; and no terminal.
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.chdir(workdir)
    main(p.from_wire(task, p.JUDGE_TASKS))
