"""The runner's handle on the judges' fork server (`judge_forkserver`): run a judge, wait, kill.

One `JudgeServer` serves many grades: `grade()` makes one for its own call, and
batch grading shares one across the whole class, so the heavy imports are paid
once. Safe to use from several threads at once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from grader import protocol as p
from grader.isolation import end_server


class JudgeServerLost(Exception):
    """The fork server died before the judge's end was known: its tests are run again."""


class JudgeServerStopped(BaseException):
    """The run is being stopped (Ctrl-C): no judge runs any more, none is run again.

    A BaseException, like the KeyboardInterrupt it follows from: the `except
    Exception` that keeps one copy's failure from stopping a class must not
    turn the stop into a grade.
    """


@dataclass
class _Request:
    pid: int | None = None
    exit: int | None = None
    broken: bool = False  # the server died before the child's end was known
    started: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)


def child_environment() -> dict[str, str]:
    # The CI runner's own channels (GITHUB_OUTPUT, GITHUB_ENV, …) are not the
    # student's to write to: the grade is published by the grader alone.
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ACTIONS_", "INPUT_"))
    }
    # The grader's own package must be importable whatever the current folder is.
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTEST_ADDOPTS", None)
    return env


class _Process:
    """One running `grader.isolation.judge_forkserver` and the thread that reads its answers."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader.isolation.judge_forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=child_environment(),
            # Ctrl-C in a terminal signals its whole process group: the server
            # must not die of it on its own, or its judges would be orphaned and
            # run again. The grader stops it (`JudgeServer.stop`); if the grader
            # dies, the end of the server's input ends it and its judges.
            start_new_session=True,
        )
        self.requests: dict[int, _Request] = {}
        self.dead = False  # set by the reader, under `lock`, once the server is gone
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, name="grader-judges", daemon=True)
        self.reader.start()

    def alive(self) -> bool:
        with self.lock:
            if self.dead:
                return False
        return self.process.poll() is None

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            message = json.loads(raw)
            if message.get("ready"):
                self.ready.set()
                continue
            with self.lock:
                request = self.requests.get(int(message["id"]))
            if request is None:
                continue
            if "pid" in message:
                request.pid = int(message["pid"])
                request.started.set()
            if "exit" in message:
                request.exit = int(message["exit"])
                request.ended.set()
        # The server is gone (student code may kill its parent): nobody will
        # answer the requests still waiting.
        self.ready.set()
        with self.lock:
            self.dead = True
            for request in self.requests.values():
                request.broken = True
                request.started.set()
                request.ended.set()

    def close(self) -> None:
        end_server(self.process)
        self.reader.join(timeout=5)

    def kill_judges(self) -> None:
        with self.lock:
            pids = [r.pid for r in self.requests.values() if r.pid is not None]
        for pid in pids:
            _kill_group(pid)


class JudgeServer:
    """Forks judges from a warm server, restarted if student code kills it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next_id = 0
        self._server = _Process()
        self._retired: list[_Process] = []
        self._stopped = threading.Event()

    def _live_server(self) -> _Process:
        with self._lock:
            if not self._server.alive():
                self._retired.append(self._server)
                self._server = _Process()
            return self._server

    def run(self, task: p.JudgeTask, workdir: Path, hard_limit: float) -> int | None:
        """Run a judge on `task` as a fork; its exit status, or None if killed.

        Raises JudgeServerLost when the server died before the child's end was
        known: the caller runs the tests again rather than judge them.
        """
        if self._stopped.is_set():
            raise JudgeServerStopped
        server = self._live_server()
        server.ready.wait(60)
        with self._lock:
            self._next_id += 1
            request_id = self._next_id
        request = _Request()
        with server.lock:
            if server.dead:
                raise JudgeServerLost
            server.requests[request_id] = request
        request_line = {"id": request_id, "task": p.to_wire(task), "workdir": str(workdir)}
        line = json.dumps(request_line, ensure_ascii=False) + "\n"
        try:
            assert server.process.stdin is not None
            with server.lock:
                server.process.stdin.write(line.encode())
                server.process.stdin.flush()
        except (OSError, ValueError) as exc:
            raise JudgeServerLost from exc
        try:
            # The server answers at once; a minute of silence means it is lost.
            if not request.started.wait(60) or request.pid is None:
                raise JudgeServerLost
            if not request.ended.wait(hard_limit):
                _kill_group(request.pid)
                if not request.ended.wait(60):
                    raise JudgeServerLost
                if not request.broken:
                    return None
            if self._stopped.is_set():
                raise JudgeServerStopped
            if request.broken:
                _kill_group(request.pid)  # an orphan of the dead server
                raise JudgeServerLost
            return request.exit
        finally:
            with server.lock:
                server.requests.pop(request_id, None)

    def close(self) -> None:
        with self._lock:
            servers = [self._server, *self._retired]
        for server in servers:
            server.close()

    def stop(self) -> None:
        """Kill every judge now and run no other: the run is being stopped (Ctrl-C).

        The threads waiting in `run` get `JudgeServerStopped` within moments, so the
        grade unwinds at once instead of waiting for its tests to end.
        """
        self._stopped.set()
        with self._lock:
            servers = [self._server, *self._retired]
        for server in servers:
            server.kill_judges()
        self.close()

    def __enter__(self) -> JudgeServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)  # the child leads its own session
    except OSError:
        pass


def fork_server_available() -> bool:
    return sys.platform != "win32" and hasattr(os, "fork")
