"""The parent's handle on the fork server (`grader.zygote`): run a child, wait, kill.

One `ChildPool` serves many grades: `grade()` makes one for its own call, and
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


class PoolBroken(Exception):
    """The fork server is gone; the caller falls back to a plain subprocess."""


@dataclass
class _Request:
    pid: int | None = None
    exit: int | None = None
    started: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    # The grader's own package must be importable whatever the current folder is.
    package_root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTEST_ADDOPTS", None)
    return env


class ChildPool:
    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "grader.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=child_environment(),
        )
        self._lock = threading.Lock()
        self._requests: dict[int, _Request] = {}
        self._next_id = 0
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, name="grader-pool", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for raw in self._process.stdout:
            message = json.loads(raw)
            if message.get("ready"):
                self._ready.set()
                continue
            request = self._requests.get(int(message["id"]))
            if request is None:
                continue
            if "pid" in message:
                request.pid = int(message["pid"])
                request.started.set()
            if "exit" in message:
                request.exit = int(message["exit"])
                request.ended.set()
        # The server is gone: nobody will answer the requests still waiting.
        self._ready.set()
        with self._lock:
            for request in self._requests.values():
                request.started.set()
                request.ended.set()

    def run(self, argv: list[str], workdir: Path, hard_limit: float) -> int | None:
        """Run `python -m grader.child ARGV` as a fork; its exit status, or None if killed."""
        self._ready.wait(60)
        with self._lock:
            if self._process.poll() is not None or self._process.stdin is None:
                raise PoolBroken
            self._next_id += 1
            request_id = self._next_id
            request = self._requests[request_id] = _Request()
            line = json.dumps({"id": request_id, "argv": argv, "workdir": str(workdir)}) + "\n"
            try:
                self._process.stdin.write(line.encode())
                self._process.stdin.flush()
            except OSError as exc:
                raise PoolBroken from exc
        try:
            request.started.wait()
            if request.pid is None:
                raise PoolBroken
            if not request.ended.wait(hard_limit):
                try:
                    os.killpg(request.pid, signal.SIGKILL)  # the child leads its own session
                except OSError:
                    pass
                request.ended.wait()
                return None
            return request.exit
        finally:
            with self._lock:
                self._requests.pop(request_id, None)

    def close(self) -> None:
        if self._process.stdin is not None:
            try:
                self._process.stdin.close()
            except OSError:
                pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=5)

    def __enter__(self) -> ChildPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def fork_server_available() -> bool:
    return sys.platform != "win32" and hasattr(os, "fork")
