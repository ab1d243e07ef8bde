"""The sandbox (`grader.isolation.sandbox`): student code reaches nothing, leaves nothing.

One hostile submission per family (`tests/engine/escapes/`), each a copy of
the kit's small exercise whose `travail` attacks the machine while `ensemble`
and `double` do honest work. In the sandbox every attack fails, harms
nothing, and the honest work keeps its 10 points. With `--sandbox off` the
same submissions show what the limits alone do and do not contain.

These tests need bubblewrap (`.ci/run` installs it): without it they fail,
never skip, so that the sandbox is seen to work wherever the kit is tested.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from grader.isolation.sandbox import Mode, Sandbox, SandboxUnavailable, choose
from grader.metadata import load_catalogue
from grader.results import Report, Status
from grader.runner import grade

ENGINE = Path(__file__).parent / "engine"
CATALOGUE = load_catalogue(ENGINE / "catalogue.toml")
ESCAPES = ENGINE / "escapes"
HIDDEN_SUITE = ENGINE / "suites" / "hidden" / "test_exo.py"

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox is Linux's"),
]


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return choose(Mode.REQUIRE)


def grade_escape(folder: Path, sandbox: Sandbox) -> Report:
    return grade(folder, catalogue=CATALOGUE, suites=ENGINE / "suites", sandbox=sandbox)


def copy_of(name: str, tmp_path: Path, cible: str = "") -> Path:
    folder = tmp_path / "copies" / name
    shutil.copytree(ESCAPES / name, folder)
    (folder / "cible.txt").write_text(cible)
    return folder


def honest_work_kept(report: Report) -> dict[str, str]:
    """The messages of the three tests, once the honest two are seen to pass."""
    [exercise] = report.exercises
    tests = {t.id: t for t in exercise.tests}
    assert tests["travail"].status is not Status.PASSED
    assert tests["ensemble"].status is Status.PASSED, tests["ensemble"].message
    assert tests["double"].status is Status.PASSED, tests["double"].message
    assert report.score == 10
    return {test_id: t.message for test_id, t in tests.items()}


def unique_duration() -> str:
    """A sleep of hours that no other run on this machine uses: its processes are found again."""
    import secrets

    return f"3{secrets.randbelow(10**6):06d}.{secrets.randbelow(10**3):03d}"


def processes(marker: bytes) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if marker in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.append(int(entry))
            except OSError:
                pass
    return found


@pytest.fixture
def kill_leftovers() -> Iterator[Callable[[bytes], list[int]]]:
    """`leftovers(marker)`: the live processes whose command line holds it (all killed after)."""
    markers: list[bytes] = []

    def leftovers(marker: bytes) -> list[int]:
        markers.append(marker)
        return processes(marker)

    yield leftovers
    for marker in markers:
        for pid in processes(marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


@pytest.mark.parametrize("mode", [Mode.REQUIRE, Mode.OFF])
def test_home_folder(tmp_path: Path, sandbox: Sandbox, mode: Mode) -> None:
    home = tmp_path / "home"
    (home / "travaux").mkdir(parents=True)
    (home / "travaux" / "memoire.txt").write_text("trois ans de travail")
    chosen = sandbox if mode is Mode.REQUIRE else choose(Mode.OFF)
    honest_work_kept(grade_escape(copy_of("home", tmp_path, str(home)), chosen))
    # Outside the sandbox the student's code has the grader's rights.
    assert (home / "travaux" / "memoire.txt").exists() is (mode is Mode.REQUIRE)


@pytest.mark.parametrize("mode", [Mode.REQUIRE, Mode.OFF])
def test_hidden_suites(tmp_path: Path, sandbox: Sandbox, mode: Mode) -> None:
    chosen = sandbox if mode is Mode.REQUIRE else choose(Mode.OFF)
    messages = honest_work_kept(grade_escape(copy_of("kit", tmp_path, str(HIDDEN_SUITE)), chosen))
    leaked = "test_ensemble" in messages["travail"]
    assert leaked is (mode is Mode.OFF), messages["travail"]
    if mode is Mode.REQUIRE:
        assert "FileNotFoundError" in messages["travail"]


@pytest.mark.parametrize("mode", [Mode.REQUIRE, Mode.OFF])
def test_network(tmp_path: Path, sandbox: Sandbox, mode: Mode) -> None:
    received: list[bytes] = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(30)

        def accept() -> None:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                received.append(conn.recv(100))

        listener = threading.Thread(target=accept)
        listener.start()
        port = str(server.getsockname()[1])
        chosen = sandbox if mode is Mode.REQUIRE else choose(Mode.OFF)
        messages = honest_work_kept(grade_escape(copy_of("network", tmp_path, port), chosen))
        if mode is Mode.REQUIRE:
            server.shutdown(socket.SHUT_RDWR)  # nobody came: the thread stops waiting
        listener.join(timeout=30)
    if mode is Mode.REQUIRE:
        assert received == [], received
        # The sandbox's own loopback: nothing listens there.
        assert "ConnectionRefusedError" in messages["travail"], messages["travail"]
    else:
        assert received == [b"fuite"]


@pytest.mark.parametrize("mode", [Mode.REQUIRE, Mode.OFF])
def test_signal_to_the_parent(tmp_path: Path, sandbox: Sandbox, mode: Mode) -> None:
    chosen = sandbox if mode is Mode.REQUIRE else choose(Mode.OFF)
    # Inside, the parent is the sandbox's first process, which no signal
    # from inside reaches; outside, it is the copy's executor server, which
    # the judges then do without. The grade goes on either way.
    messages = honest_work_kept(grade_escape(copy_of("signal_parent", tmp_path), chosen))
    if mode is Mode.REQUIRE:
        assert "renvoyé 0" in messages["travail"]


@pytest.mark.parametrize("mode", [Mode.REQUIRE, Mode.OFF])
def test_daemon(
    tmp_path: Path,
    sandbox: Sandbox,
    mode: Mode,
    kill_leftovers: Callable[[bytes], list[int]],
    reaper: Callable[[], list[int]],
) -> None:
    chosen = sandbox if mode is Mode.REQUIRE else choose(Mode.OFF)
    duration = unique_duration()
    honest_work_kept(grade_escape(copy_of("daemon", tmp_path, duration), chosen))
    # Gone before grade() returned: the sandbox's PID namespace, or outside
    # it the server that reaped and killed every orphan.
    assert kill_leftovers(b"sleep\x00" + duration.encode()) == []
    assert reaper() == []


@pytest.mark.parametrize("mode", [Mode.REQUIRE, Mode.OFF])
def test_memory(tmp_path: Path, sandbox: Sandbox, mode: Mode) -> None:
    chosen = sandbox if mode is Mode.REQUIRE else choose(Mode.OFF)
    messages = honest_work_kept(grade_escape(copy_of("memory", tmp_path), chosen))
    assert "MemoryError" in messages["travail"], messages["travail"]


@pytest.mark.parametrize("mode", [Mode.REQUIRE, Mode.OFF])
def test_many_processes(
    tmp_path: Path,
    sandbox: Sandbox,
    mode: Mode,
    kill_leftovers: Callable[[bytes], list[int]],
    reaper: Callable[[], list[int]],
) -> None:
    chosen = sandbox if mode is Mode.REQUIRE else choose(Mode.OFF)
    duration = unique_duration()
    honest_work_kept(grade_escape(copy_of("fork_many", tmp_path, duration), chosen))
    assert kill_leftovers(b"sleep\x00" + duration.encode()) == []
    assert reaper() == []


def test_the_solutions_run_untouched_in_the_sandbox(sandbox: Sandbox) -> None:
    solutions = Path(__file__).resolve().parent.parent / "solutions"
    report = grade(solutions, sandbox=sandbox)
    assert report.score == report.max_score == 100


def test_require_without_bwrap_is_a_usage_error(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "grader", "--target", "solutions", "--sandbox", "require"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert "bubblewrap" in line and "--sandbox require" in line


def test_choose_says_why_there_is_no_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        choose(Mode.REQUIRE)
    auto = choose(Mode.AUTO)
    assert not auto.active and "bubblewrap" in auto.notice()
    assert choose(Mode.OFF).reason == "désactivé par --sandbox off"


def test_a_copy_cannot_reach_its_classmates(sandbox: Sandbox) -> None:
    # Run only in the sandbox: outside, kill(-1) would take every process of
    # the user, the machine's own when it is root.
    from concurrent.futures import ThreadPoolExecutor

    from grader.isolation.judges import JudgeServer

    honest = ENGINE / "submissions" / "correct"
    with JudgeServer() as judges, ThreadPoolExecutor(max_workers=3) as threads:

        def one(folder: Path) -> Report:
            return grade(
                folder,
                catalogue=CATALOGUE,
                suites=ENGINE / "suites",
                sandbox=sandbox,
                judges=judges,
            )

        futures = [threads.submit(one, f) for f in (honest, ESCAPES / "classmates", honest)]
        first, attacker, second = (f.result() for f in futures)
    assert first.score == second.score == first.max_score == 20
    honest_work_kept(attacker)


def test_a_class_of_escapes(
    tmp_path: Path,
    sandbox: Sandbox,
    kill_leftovers: Callable[[bytes], list[int]],
    reaper: Callable[[], list[int]],
) -> None:
    # Every escape of this file, graded as a class beside an honest copy:
    # each keeps exactly its honest points, and the machine is left as it was.
    import csv
    from functools import partial

    from grader.isolation.judges import JudgeServer
    from grader.tools.batch import grade_class

    home = tmp_path / "home"
    home.mkdir()
    (home / "memoire.txt").write_text("trois ans de travail")
    duration = unique_duration()
    targets = {
        "home": str(home),
        "kit": str(HIDDEN_SUITE),
        "network": "9",
        "daemon": duration,
        "fork_many": duration,
    }
    names = ["daemon", "fork_many", "home", "kit", "memory", "network", "signal_parent"]
    classroom = tmp_path / "classe"
    for name in names:
        folder = classroom / name / "exercises"
        shutil.copytree(ESCAPES / name, folder)
        (folder / "cible.txt").write_text(targets.get(name, ""))
    shutil.copytree(ENGINE / "submissions" / "correct", classroom / "honnete" / "exercises")
    notes = tmp_path / "notes.csv"
    with JudgeServer() as judges:
        engine = partial(
            grade,
            catalogue=CATALOGUE,
            suites=ENGINE / "suites",
            sandbox=sandbox,
            judges=judges,
        )
        code = grade_class(classroom, notes, only=["exo"], jobs=2, grade=engine, progress=False)
    assert code == 0
    with notes.open(encoding="utf-8") as handle:
        totals = {row["eleve"]: float(row["total"]) for row in csv.DictReader(handle)}
    assert totals == {**dict.fromkeys(names, 10.0), "honnete": 20.0}
    assert (home / "memoire.txt").exists()
    assert kill_leftovers(b"sleep\x00" + duration.encode()) == []
    assert reaper() == []


def test_a_system_wide_install_of_the_kit_is_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    # pip install . without a venv puts grader/, hidden suites included, under /usr.
    import grader.isolation.bwrap as bwrap_module

    installed = Path("/usr/lib/python3/dist-packages/grader")
    monkeypatch.setattr(bwrap_module, "PACKAGE", installed)
    monkeypatch.setattr(Path, "is_dir", lambda self: True)
    command = bwrap_module.bwrap_command("bwrap", None, ["true"])
    at = command.index(str(installed.parent))
    assert command[at - 1] == "--tmpfs"
    assert command.index("--ro-bind") < at < command.index("--proc")


def test_auto_without_bwrap_grades_and_tells_instructors(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PATH": str(tmp_path)}
    output = tmp_path / "results.json"
    command = [sys.executable, "-m", "grader", "--target", "solutions", "--only"]
    command += ["ex1_sync_vs_async", "--format", "gradescope", "--output", str(output)]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [line] = done.stderr.splitlines()
    assert "bac à sable inactif" in line and "bubblewrap" in line
    assert output.is_file()
    # A student grading their own code is told nothing.
    command = [sys.executable, "-m", "grader", "--target", "solutions", "--only"]
    command += ["ex1_sync_vs_async", "--format", "json"]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == ""
