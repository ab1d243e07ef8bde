"""`python -m grader.executor.forkserver --listen-fd N`: warm executors, forked on request.

Why: an executor started as a fresh interpreter spends about a fifth of a CPU
second importing asyncio, freezegun and this package before it runs a line of
the student's; five exercises, or a class of two hundred, would pay it again
and again. This server pays it once per copy graded and forks an executor
per request. It holds nothing but the executor's own code: never a suite,
the catalogue or a results key (the judges' fork server, `grader.isolation.judge_forkserver`, is
another process), so a fork of it carries nothing a student may not see.

The runner (`grader.isolation.sandbox.ExecutorServer`) starts one per copy, inside the
sandbox when there is one, and hands it a listening Unix socket as file
descriptor N: the socket's path lies outside the sandbox, so only judges can
reach it. A judge connects and sends one JSON line:

- `{"target": …, "module": …}` with the write end of its stack-dump pipe
  attached (SCM_RIGHTS): the server forks an executor, whose first four
  bytes on the connection are its pid (big-endian); from then on the
  connection is that executor's request and answer channel
  (`grader.executor.serve`). A fork that fails closes the connection.
- `{"signal": S, "pid": P, "group": G}`: the server sends signal S to one of
  its executors (its process group if G) and answers `ok`. In the sandbox
  that is the only way to reach an executor: its pid is the sandbox's own.

In the sandbox the server is the PID namespace's first process: nothing
inside can signal it, and when it ends the kernel kills everything the copy
started, daemons included. Outside one it makes itself the reaper of every
orphan its executors leave, and kills them all when it ends (Linux).

Children are reaped by the kernel (SIGCHLD ignored). End of standard input
ends the server.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import socket
import struct
import sys
import tempfile
from typing import Any

_PR_SET_CHILD_SUBREAPER = 36


def _warm() -> None:
    import freezegun

    import grader.executor.serve  # noqa: F401

    # freezegun remembers which loaded modules hold time functions; an
    # executor's own freeze then only looks at the modules loaded after the fork.
    freezer = freezegun.freeze_time("2026-01-05")
    freezer.start()
    freezer.stop()


def _child(conn: socket.socket, request: dict[str, Any], dump: int, sandboxed: bool) -> None:
    from grader.executor import limits
    from grader.executor.serve import run_executor

    os.setsid()  # a session of its own: the judge kills it with all it started
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    # A working folder of its own, in the server's (the sandbox's private /tmp).
    home = tempfile.mkdtemp(prefix="executor-")
    os.chdir(home)
    os.environ["HOME"] = os.environ["TMPDIR"] = home
    tempfile.tempdir = None
    limits.apply(sandboxed)
    fd = conn.detach()
    os.write(fd, struct.pack(">I", os.getpid()))
    run_executor(str(request["target"]), str(request["module"]), fd, fd, dump)


def _signal(request: dict[str, Any], children: set[int]) -> None:
    pid, number = request.get("pid"), request.get("signal")
    if type(pid) is not int or type(number) is not int or pid not in children:
        return
    try:
        if request.get("group") is True:
            os.killpg(pid, number)
        else:
            os.kill(pid, number)
    except OSError:
        pass  # already gone


def serve(listener: socket.socket, sandboxed: bool) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    children: set[int] = set()
    while True:
        readable, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 4096):
            return
        if listener not in readable:
            continue
        conn, _ = listener.accept()
        try:
            conn.settimeout(5.0)
            message, fds, _, _ = socket.recv_fds(conn, 65536, 1)
            request = json.loads(message)
            conn.settimeout(None)
        except (OSError, ValueError):
            conn.close()
            continue
        if isinstance(request, dict) and "signal" in request and not fds:
            _signal(request, children)
            try:
                conn.sendall(b"ok")
            except OSError:
                pass
            conn.close()
            continue
        if not fds or not isinstance(request, dict):
            for fd in fds:
                os.close(fd)
            conn.close()
            continue
        try:
            pid = os.fork()
        except OSError:
            pid = -1  # too many processes: the judge sees the connection close
        if pid == 0:
            try:
                listener.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _child(conn, request, fds[0], sandboxed)
            finally:
                os._exit(70)
        if pid > 0:
            children.add(pid)
        conn.close()
        for fd in fds:
            os.close(fd)


def _become_reaper() -> None:
    """Outside a sandbox: orphans of the executors (daemons) become this process's children."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _children(parent: int) -> list[int]:
    found: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(entry))
    return found


def kill_descendants() -> None:
    """Kill every child, and every orphan that came back to this reaper, until none is left."""
    me = os.getpid()
    for _ in range(100):
        children = _children(me)
        if not children:
            return
        for pid in children:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        # Reaped by the kernel (SIGCHLD ignored); their own orphans come back here.
        select.select([], [], [], 0.01)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m grader.executor.forkserver")
    parser.add_argument("--listen-fd", type=int, required=True)
    parser.add_argument("--sandboxed", action="store_true")
    args = parser.parse_args(argv)
    if not args.sandboxed:
        _become_reaper()
    _warm()
    listener = socket.socket(fileno=args.listen_fd)
    # Ready: the runner waits for this line before it hands the socket out.
    os.write(1, b"ready\n")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        serve(listener, args.sandboxed)
    finally:
        if not args.sandboxed:
            kill_descendants()
        # In the sandbox, the kernel kills the rest when this process ends.


if __name__ == "__main__":
    main()
