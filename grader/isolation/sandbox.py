"""Where student code runs: the executors' server, in a bubblewrap sandbox when there is one.

One `ExecutorServer` per copy graded (`grader.runner.grade` starts it and
ends it), so that nothing one student's code starts can see or outlive
another's grade. With the sandbox (`bwrap`, Debian/Ubuntu package
`bubblewrap`), the server and every executor it forks see:

- no network (a network namespace of their own, with nothing in it);
- a read-only filesystem holding only the system's libraries (`/usr`), the
  Python runtime without its `site-packages`, the executor's own code and
  the two libraries it uses (on `PYTHONPATH`, under `/grader-runtime`), and
  the submission's folder at its own path. Never the kit's folder, the
  hidden suites, the catalogue, `$HOME` or another copy;
- a private, size-limited `/tmp`, their working folder;
- a PID namespace whose first process is the server: they cannot see or
  signal the grader, the judges or another copy, and when the server ends
  the kernel kills all they started;
- the limits of `grader.executor.limits`, and cgroups capping the copy's
  processes (256) and memory (4 GB) when the grader runs as root and may
  make them.

Without it (`--sandbox off`, or `auto` where bwrap cannot run) executors still
get the limits that need no sandbox, a session of their own, and a server
that reaps and kills every process they leave; they can read what the
grader's user can read.

The sandbox is chosen once per run (`choose`) and passed down; a mode that
requires it and cannot have it is the caller's usage error.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from grader.isolation import end_server
from grader.isolation.bwrap import bwrap_command, python_path

_SOCKET_NAME = "executors.sock"
_SOCKET_PATH_MAX = 100
# Real seconds a server gets to start and import its code.
_START_TIMEOUT = 30.0
# What one copy may have at once, where a cgroup can hold it:
# controller -> (cgroup v1 file, cgroup v2 file, value).
COPY_CGROUP = {
    "pids": ("pids.max", "pids.max", "256"),
    "memory": ("memory.limit_in_bytes", "memory.max", str(4 * 1024**3)),
}

# Ubuntu 23.10 and later forbid unprivileged user namespaces unless this is 0.
_APPARMOR_SETTING = "kernel.apparmor_restrict_unprivileged_userns"
_APPARMOR_SWITCH = "/proc/sys/" + _APPARMOR_SETTING.replace(".", "/")


class Mode(StrEnum):
    AUTO = "auto"
    REQUIRE = "require"
    OFF = "off"


class SandboxUnavailable(Exception):
    """`--sandbox require` where the sandbox cannot run; the message says why, in one line."""


@dataclass(frozen=True)
class Sandbox:
    """The isolation chosen for this run."""

    mode: Mode
    bwrap: str | None = None  # the sandbox is used when this is set
    reason: str = ""  # why it is not, when it is not

    @property
    def active(self) -> bool:
        return self.bwrap is not None

    def notice(self) -> str:
        """One line for instructors when student code runs without the sandbox."""
        return (
            f"bac à sable inactif ({self.reason}) : le code des élèves tourne avec les droits de "
            "l'utilisateur, limité seulement par les rlimits et une session à part, et tous ses "
            "processus sont tués à la fin"
        )


_PROBE = (
    "import importlib.util as u, sys\n"
    "for m in ('grader.executor.forkserver', 'freezegun', 'dateutil'):\n"
    "    u.find_spec(m) or sys.exit('introuvable dans le bac à sable : ' + m)"
)


def _probe(bwrap: str) -> str:
    """Why the sandbox cannot run here, or "" if it can (a Python started inside it)."""
    # Found, not imported: importing freezegun costs a tenth of a second, for
    # every run, and finding it proves the same thing (the runtime is bound).
    command = bwrap_command(bwrap, None, [str(python_path()), "-S", "-c", _PROBE])
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=_START_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap n'a pas pu démarrer : {exc}"
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        why = lines[-1] if lines else f"code de sortie {done.returncode}"
        if Path(_APPARMOR_SWITCH).is_file() and Path(_APPARMOR_SWITCH).read_text().strip() == "1":
            why += f" ; Ubuntu l'interdit par défaut : sudo sysctl -w {_APPARMOR_SETTING}=0"
        return f"bwrap ne peut pas créer le bac à sable ici : {why}"
    return ""


def choose(mode: Mode) -> Sandbox:
    """The sandbox this run will use; raises SandboxUnavailable if `require` cannot have it."""
    if mode is Mode.OFF:
        return Sandbox(mode, reason="désactivé par --sandbox off")
    reason = ""
    bwrap = shutil.which("bwrap")
    if not sys.platform.startswith("linux"):
        reason = "il n'existe que sous Linux"
    elif bwrap is None:
        reason = "bwrap est introuvable : installez le paquet bubblewrap"
    else:
        reason = _probe(bwrap)
    if not reason:
        return Sandbox(mode, bwrap=bwrap)
    if mode is Mode.REQUIRE:
        raise SandboxUnavailable(f"--sandbox require : bac à sable indisponible ({reason})")
    return Sandbox(mode, reason=reason)


def _make_cgroup(root: Path, settings: dict[str, str]) -> Path | None:
    group = root / f"grader-{secrets.token_hex(6)}"
    try:
        group.mkdir()
    except OSError:
        return None
    try:
        for name, value in settings.items():
            (group / name).write_text(value)
    except OSError:
        _remove_cgroup(group)
        return None
    return group


def _copy_cgroups() -> list[Path]:
    """Fresh cgroups holding one copy's processes and memory, where this process may make them.

    Only root may (Gradescope and CI run as root, where RLIMIT_NPROC holds
    nothing); unprivileged, RLIMIT_NPROC holds in the sandbox's user namespace.
    Both cgroup versions: v2's one tree if it delegates the controllers, else
    v1's tree per controller.
    """
    if os.geteuid() != 0:
        return []
    unified = Path("/sys/fs/cgroup")
    try:
        delegated = (unified / "cgroup.subtree_control").read_text().split()
    except OSError:
        delegated = []
    groups: list[Path] = []
    v2 = {name: limit for name, limit in COPY_CGROUP.items() if name in delegated}
    if v2:
        group = _make_cgroup(unified, {v2_file: value for _, v2_file, value in v2.values()})
        if group is not None:
            groups.append(group)
        else:
            v2 = {}
    for name, (v1_file, _, value) in COPY_CGROUP.items():
        if name not in v2:
            group = _make_cgroup(unified / name, {v1_file: value})
            if group is not None:
                groups.append(group)
    return groups


def _remove_cgroup(group: Path) -> None:
    try:
        group.rmdir()
    except OSError:
        pass


def _server_folder() -> Path:
    """A private folder for the server's socket, in TMPDIR when the socket's path fits.

    A Unix socket's path holds at most 107 bytes (103 on macOS): under a long
    TMPDIR (pytest's, some CI runners') the server could not listen at all.
    """
    folder = Path(tempfile.mkdtemp(prefix="grader-executors-"))
    if len(os.fsencode(folder / _SOCKET_NAME)) <= _SOCKET_PATH_MAX:
        return folder
    folder.rmdir()
    return Path(tempfile.mkdtemp(prefix="grader-executors-", dir="/tmp"))


class ExecutorServer:
    """One copy's `grader.executor.forkserver`, sandboxed when the run's sandbox is active."""

    def __init__(self, sandbox: Sandbox, target: Path) -> None:
        self.sandbox = sandbox
        self.target = target
        self.folder = _server_folder()
        self.socket = str(self.folder / _SOCKET_NAME)
        self._cgroups: list[Path] = []
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(self.socket)
            os.chmod(self.socket, 0o600)
            listener.listen(64)
            self.process = self._start(listener.fileno())
        finally:
            listener.close()  # the server has its own copy
        self._ready: bool | None = None

    def _start(self, fd: int) -> subprocess.Popen[bytes]:
        server = ["-m", "grader.executor.forkserver", "--listen-fd", str(fd)]
        if self.sandbox.bwrap is not None:
            command = bwrap_command(
                self.sandbox.bwrap, self.target, [str(python_path()), "-S", *server, "--sandboxed"]
            )
            self._cgroups = _copy_cgroups()
            if self._cgroups:
                # Joins the cgroups before bwrap starts, so every process inside counts.
                joins = [str(group / "cgroup.procs") for group in self._cgroups]
                script = 'for f in "$@"; do [ "$f" = -- ] && break; echo $$ > "$f"; shift; done; '
                script += 'shift; exec "$@"'
                command = ["/bin/sh", "-c", script, "sh", *joins, "--", *command]
            env = None
        else:
            from grader.judge.link import executor_environment

            command = [sys.executable, *server]
            env = executor_environment(self.folder)
        return subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=str(self.folder),
            env=env if env is not None else {"PATH": os.environ.get("PATH", os.defpath)},
            pass_fds=(fd,),
            start_new_session=True,
        )

    def alive(self) -> bool:
        if self._ready is None:
            # Read on first use, so that it warms up while the judges start.
            # One line once it listens; none if it failed to start.
            assert self.process.stdout is not None
            self._ready = self.process.stdout.readline() == b"ready\n"
        return self._ready and self.process.poll() is None

    def close(self) -> None:
        """End the server; in the sandbox, everything the copy started ends with it."""
        end_server(self.process)
        if self.process.stdout is not None:
            self.process.stdout.close()
        for group in self._cgroups:
            _remove_cgroup(group)
        shutil.rmtree(self.folder, ignore_errors=True)


class Executors:
    """A copy's executor server, started again if it dies; None where none can start."""

    def __init__(self, sandbox: Sandbox, target: Path) -> None:
        self.sandbox = sandbox
        self.target = target
        self._server = ExecutorServer(sandbox, target)
        self._retired: list[ExecutorServer] = []
        self._restarts = 0
        self._lock = threading.Lock()  # the copy's exercises are graded in threads

    def socket(self) -> str | None:
        with self._lock:
            if not self._server.alive() and self._restarts < 3:
                self._restarts += 1
                self._retired.append(self._server)
                self._server = ExecutorServer(self.sandbox, self.target)
            return self._server.socket if self._server.alive() else None

    def close(self) -> None:
        with self._lock:
            servers = [self._server, *self._retired]
        for server in servers:
            server.close()
