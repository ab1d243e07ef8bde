"""`python -m grader.isolation.judge_forkserver`: a warm process that forks judges on request.

Why: a judge spends a quarter of a second importing pytest and hypothesis.
Five exercises, or a class of two hundred, would pay that again and again.
This process pays it once, then forks a judge per request; every judge still
starts clean, since nothing of the student's is ever loaded here (the
student's code runs in executors the judges start, never in a fork of this).

The protocol is JSON lines. On standard input: `{"id": 7, "task": {...},
"workdir": "..."}`, the task a `protocol.JudgeTask` on the wire. On standard
output: `{"id": 7, "pid": 1234}` once the child is forked, `{"id": 7,
"exit": 0}` once it has ended (a negative exit is the signal that killed it).
End of input ends the server, and kills what is left.

Single-threaded on purpose: forking a process that runs threads is unsafe.
Child exits are noticed through SIGCHLD written to a wake-up pipe.
"""

from __future__ import annotations

import json
import os
import select
import signal
from typing import Any


def _warm() -> None:
    import gc

    import hypothesis
    import hypothesis.strategies  # noqa: F401
    import pytest  # noqa: F401
    from hypothesis.internal.entropy import deterministic_PRNG

    import grader.judge.main
    import grader.judge.plugin

    # Hypothesis registers its own Random the first time a test runs, and
    # checks it with a full garbage collection: 20 ms in every judge, paid
    # here once instead (the judge inherits the registration).
    with deterministic_PRNG():
        pass
    grader.judge.main.warm_up()
    # What the server has loaded stays alive for good: frozen, it is never
    # scanned again by a judge's collections, nor copied into it page by
    # page as they touch it.
    gc.collect()
    gc.freeze()


def _child(task: dict[str, Any], workdir: str) -> None:
    from grader.judge.main import run_forked

    try:
        run_forked(task, workdir)
    finally:
        os._exit(70)  # only reached if the child failed to start its tests


def _send(out: int, message: dict[str, object]) -> None:
    os.write(out, (json.dumps(message) + "\n").encode())


def serve(inp: int, out: int) -> None:
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: dict[int, int] = {}  # pid -> request id
    buffer = b""
    while True:
        readable, _, _ = select.select([inp, wake_r], [], [])
        if wake_r in readable:
            os.read(wake_r, 4096)
            while children:
                try:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
                request = children.pop(pid, None)
                if request is not None:
                    _send(out, {"id": request, "exit": os.waitstatus_to_exitcode(status)})
        if inp in readable:
            chunk = os.read(inp, 65536)
            if not chunk:
                for pid in children:
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except OSError:
                        pass
                return
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    os.close(wake_r)
                    os.close(wake_w)
                    os.close(out)  # the protocol's pipe is not the student's to write to
                    _child(request["task"], request["workdir"])
                children[pid] = request["id"]
                _send(out, {"id": request["id"], "pid": pid})


def main() -> None:
    from grader.judge.main import make_undumpable

    # Its request pipe carries each judge's results key.
    make_undumpable()
    out = os.dup(1)
    # Nothing may write to the protocol's pipe by accident (the warm-up's
    # pytest session prints).
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    _warm()
    _send(out, {"ready": True})
    serve(0, out)


if __name__ == "__main__":
    main()
