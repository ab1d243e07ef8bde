"""`nox -s watch`: a save grades that exercise, its score comes last, Ctrl-C stops it.

The last test drives the real session through nox, in the environment these
tests run in (`nox --no-venv --no-install`: the session's installation is
`nox_support.install_once`'s, tested in test_nox_support.py), on a copy
of the stubs: it saves a finished exercise, reads the new score, then stops
it as a terminal's Ctrl-C would.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.metadata import load_catalogue
from grader.tools import watch

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue()
# Backstop only: how long a line may take before the test gives up.
BACKSTOP = 120.0
# How often the save is made again while the watcher shows nothing: it may
# not have been watching yet when the first was made.
RESAVE_EVERY = 2.0


def test_saved_exercises_are_the_catalogues_modules_in_order(tmp_path: Path) -> None:
    paths = [
        str(tmp_path / "ex3_timeouts.py"),
        str(tmp_path / "notes.txt"),
        str(tmp_path / "ex1_sync_vs_async.py"),
        str(tmp_path / "sous" / "ex2_telechargeur.py"),  # not the watched folder itself
        str(tmp_path / "ex1_sync_vs_async.py"),
    ]
    assert watch.saved_exercises(paths, tmp_path.resolve(), CATALOGUE) == [
        "ex1_sync_vs_async",
        "ex3_timeouts",
    ]


def test_a_bad_folder_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert watch.main(["--target", str(tmp_path / "nulle_part")]) == 2
    err = capsys.readouterr().err
    assert (
        err == f"nox -s watch -- : erreur : le dossier « {tmp_path / 'nulle_part'} » n'existe pas\n"
    )
    assert watch.main(["--format", "json"]) == 2
    assert capsys.readouterr().err == "nox -s watch -- : erreur : option inconnue : --format json\n"


class Lines:
    """The lines a process writes, read in a thread so that a wait can give up."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        assert process.stdout is not None
        stream = process.stdout
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(
        self, wanted: Callable[[str], bool], again: Callable[[], None] | None = None
    ) -> str:
        deadline = time.monotonic() + BACKSTOP
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=RESAVE_EVERY)
            except queue.Empty:
                if again is not None:
                    again()
                continue
            assert line is not None, f"the watch ended: {self.seen}"
            self.seen.append(line)
            if wanted(line):
                return line
        raise AssertionError(f"not seen: {self.seen}")


def test_nox_watch_grades_a_save_and_stops_on_ctrl_c(
    short_tmp: Path, processes_in: Callable[[Path], list[str]]
) -> None:
    copy = short_tmp / "exercises"
    shutil.copytree(ROOT / "exercises", copy)
    env = {
        **os.environ,
        "TMPDIR": str(short_tmp),
        # `python` in the session is this environment's, which has the kit.
        "PATH": os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", ""))),
    }
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "nox", "-f", str(ROOT / "noxfile.py")),
            *("--no-venv", "--no-install", "-s", "watch"),
            *("--", "--target", str(copy), "--no-color"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        start_new_session=True,  # a group of its own, as a terminal gives it
    )
    try:
        lines = Lines(process)
        lines.wait_for(lambda line: line.startswith("Surveillance de exercises/"))

        def save() -> None:
            shutil.copy(ROOT / "solutions" / "ex2_telechargeur.py", copy / "ex2_telechargeur.py")

        save()
        lines.wait_for(lambda line: line.startswith("ex2_telechargeur enregistré à"), again=save)
        graded = lines.seen.index(lines.seen[-1])
        score = lines.wait_for(lambda line: line.startswith("Note : "))
        # That exercise alone, finished, and its score last.
        assert score == "Note : 20/20 — tous les tests sont réussis. Bravo !"
        report = "\n".join(lines.seen[graded:])
        assert "ex2_telechargeur — " in report
        assert not any(f"{e} — " in report for e in CATALOGUE.ids if e != "ex2_telechargeur")

        os.killpg(process.pid, signal.SIGINT)
        lines.wait_for(lambda line: line == "Surveillance arrêtée.")
        process.wait(timeout=BACKSTOP)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert processes_in(short_tmp) == []
    assert sorted(p.name for p in short_tmp.iterdir()) == ["exercises"]
