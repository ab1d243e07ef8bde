"""Ctrl-C and SIGTERM: the grader says at once that it stops, then leaves nothing behind.

Each test starts the real `python -m grader` on a copy whose module never
returns (so the grade is surely under way), waits until a judge has started a
test, signals the grader, and checks what is left: no process working in the
grader's temporary folders and no folder in them. How fast it stops is a
figure of `nox -s bench`, not of these tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.cli import STOPPING

ROOT = Path(__file__).resolve().parent.parent
# Backstop only: a grader that ignored the signal would run this long.
BACKSTOP = 120.0

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def endless_copy(folder: Path) -> Path:
    """A copy whose ex1 loops forever at import: every test runs until the real-time limit."""
    folder.mkdir()
    (folder / "ex1_sync_vs_async.py").write_text("while True:\n    pass\n", encoding="utf-8")
    return folder


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + BACKSTOP
    while not condition():
        assert process.poll() is None, f"ended before the signal: {process.communicate()[1]}"
        assert time.monotonic() < deadline, "no test started"
        time.sleep(0.02)


def a_test_started(tmp: Path) -> bool:
    """True once a judge has written that a test started, in one of the grader's folders."""
    return any(f.stat().st_size > 0 for f in tmp.glob("grader-*/results-*.jsonl"))


def start(args: list[str], tmp: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(tmp), "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "grader", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        start_new_session=True,  # a group of its own, as a terminal gives it
    )


def stop_and_check(
    process: subprocess.Popen[str],
    tmp: Path,
    send: Callable[[], None],
    processes_in: Callable[[Path], list[str]],
) -> str:
    send()
    _, err = process.communicate(timeout=BACKSTOP)
    assert process.returncode == 130, err
    assert err.splitlines()[0] == STOPPING, err
    assert err.splitlines()[-1] == "python -m grader : correction interrompue", err
    assert processes_in(tmp) == []
    assert sorted(p.name for p in tmp.iterdir()) == ["copy"]
    return err


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_a_grade_stops_at_once_and_cleanly(
    short_tmp: Path, how: str, processes_in: Callable[[Path], list[str]]
) -> None:
    tmp = short_tmp
    target = endless_copy(tmp / "copy")
    process = start(["--target", str(target), "--only", "ex1_sync_vs_async"], tmp)
    wait_for(lambda: a_test_started(tmp), process)
    # Ctrl-C reaches the terminal's whole process group; SIGTERM (nox, CI
    # runners, platforms) only the grader.
    if how == "ctrl-c":
        stop_and_check(process, tmp, lambda: os.killpg(process.pid, signal.SIGINT), processes_in)
    else:
        stop_and_check(process, tmp, lambda: process.send_signal(signal.SIGTERM), processes_in)


def test_a_class_stops_at_once_and_keeps_nothing_running(
    short_tmp: Path, tmp_path: Path, processes_in: Callable[[Path], list[str]]
) -> None:
    tmp = short_tmp
    klass = tmp / "copy"
    klass.mkdir()
    for name in ("alice", "bob"):
        (klass / name).mkdir()
        endless_copy(klass / name / "exercises")
    csv_path = tmp_path / "notes.csv"
    process = start(
        ["--submissions", str(klass), "--csv", str(csv_path), "--only", "ex1_sync_vs_async"], tmp
    )
    wait_for(lambda: a_test_started(tmp), process)
    stop_and_check(process, tmp, lambda: os.killpg(process.pid, signal.SIGINT), processes_in)
    # No copy was graded to the end: none has a grade.
    assert not csv_path.exists()
