"""`python -m grader.executor.forkserver SOCKET`: warm executors, forked on a judge's request.

Why: an executor started as a fresh interpreter spends about a fifth of a CPU
second importing asyncio, freezegun and this package before it runs a line of
the student's; five exercises, or a class of two hundred, would pay it again
and again. This server pays it once and forks an executor per request. It
holds nothing but the executor's own code: never a suite, the catalogue or a
results key (the judges' fork server, `grader.zygote`, is another process),
so a fork of it carries nothing a student may not see.

A judge connects to the Unix socket, sends one JSON line (`{"target": …,
"module": …, "home": …}`) with the write end of its stack-dump pipe attached
(SCM_RIGHTS), and from then on that connection is the executor's request and
answer channel. The executor's first four bytes are its pid (big-endian), so
the judge can signal and kill it; then `grader.executor.serve` takes over.

Children are reaped by the kernel (SIGCHLD ignored). End of standard input
ends the server. If student code kills it, judges start executors as fresh
interpreters instead: slower, never wrong.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import sys
import tempfile


def _warm() -> None:
    import freezegun

    import grader.executor.serve  # noqa: F401

    # freezegun remembers which loaded modules hold time functions; an
    # executor's own freeze then only looks at the modules loaded after the fork.
    freezer = freezegun.freeze_time("2026-01-05")
    freezer.start()
    freezer.stop()


def _child(conn: socket.socket, request: dict[str, str], dump: int) -> None:
    from grader.executor.serve import run_executor

    os.setsid()  # a session of its own: the judge kills it with all it started
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    home = request["home"]
    os.chdir(home)
    os.environ["HOME"] = os.environ["TMPDIR"] = home
    tempfile.tempdir = None
    fd = conn.detach()
    os.write(fd, struct.pack(">I", os.getpid()))
    run_executor(request["target"], request["module"], fd, fd, dump)


def serve(listener: socket.socket) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
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
        if not fds or not isinstance(request, dict):
            for fd in fds:
                os.close(fd)
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:
            try:
                listener.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _child(conn, request, fds[0])
            finally:
                os._exit(70)
        conn.close()
        for fd in fds:
            os.close(fd)


def main() -> None:
    path = sys.argv[1]
    _warm()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    # Ready: the runner waits for this line before it hands the socket out.
    os.write(1, b"ready\n")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    serve(listener)


if __name__ == "__main__":
    main()
