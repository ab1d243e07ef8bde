"""`python -m grader.executor`: the process that runs the student's code, and only that.

Started by the judge (`grader.judge.executor`) once per exercise, it reads
`protocol` requests from one pipe and writes answers to another:

- `Begin`: a fresh virtual clock at 0.0, `random` seeded with the test's id,
  the student's module imported anew; answers `Loaded` (the module's names,
  kinds and plain values, or the import error);
- `Call`: runs one call (`grader.executor.runtime.perform`); answers an
  `Observation`;
- `End`: answers `Ended` with the test's pitfall diagnostics.

It never sees a test's code, an expected value, the catalogue or a results
file: what it sends is what happened, and the judge decides. Its standard
output and error go nowhere; the student's prints are captured per call.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import random
import signal
import sys
from collections.abc import Callable
from types import CodeType, ModuleType
from typing import Any, BinaryIO

from grader import protocol as p
from grader.executor.clock import TimeMachine, VirtualClock
from grader.executor.diagnostics import Monitor
from grader.executor.failures import forbid_fork, forbid_os_exit
from grader.executor.runtime import load_module, perform


def _user_files(target: str) -> Callable[[str], bool]:
    """Whether a code object's file is in the student's folder, asked at every task created.

    The answer for each file name is kept: a realpath costs a stat per
    component of the path, and the same few files are asked about thousands
    of times a test.
    """
    prefix = os.path.realpath(target) + os.sep
    known: dict[str, bool] = {}

    def is_user_file(filename: str) -> bool:
        answer = known.get(filename)
        if answer is None:
            answer = known[filename] = os.path.realpath(filename).startswith(prefix)
        return answer

    return is_user_file


class Server:
    """One executor's state: the clock machine, the monitor, the module of the running test."""

    def __init__(self, target: str, module: str, answers: int) -> None:
        self.path = os.path.join(target, f"{module}.py")
        self.name = module
        self.machine = TimeMachine(is_user_file=_user_files(target))
        self.monitor = Monitor()
        self.module: ModuleType | None = None
        # The student's source compiled once, whatever the number of tests.
        self.compiled: dict[bytes, CodeType] = {}
        self.clock: VirtualClock | None = None
        self._answers = answers
        # Kept from before any student code runs: rebinding os.write changes nothing here.
        self._write = os.write

    def send(self, record: Any) -> None:
        data = p.encode_frame(record)
        view = memoryview(data)
        while view:
            written = self._write(self._answers, view)
            view = view[written:]

    def handle(self, request: Any) -> Any:
        if isinstance(request, p.Begin):
            self.clock = self.machine.new_clock()
            # Student code that draws at random draws the same numbers on every run.
            random.seed(request.seed)
            self.monitor.begin_test(self.clock)
            self.module, loaded = load_module(self.path, self.name, self.clock, self.compiled)
            return p.Loaded(
                request.seq, loaded.file, loaded.attributes, loaded.error, loaded.tampered
            )
        if isinstance(request, p.Call):
            if self.module is None or self.clock is None:
                return p.Observation(request.seq, "unloaded")
            return perform(request, self.module, self.clock)
        assert isinstance(request, p.End)
        found = self.monitor.end_test(self.clock) if self.clock is not None else []
        self.module = None
        return p.Ended(
            request.seq,
            tuple(p.Diagnosed(d.kind, d.file, d.line, d.message) for d in found),
        )


def serve(requests: p.Readable, server: Server) -> None:
    while True:
        try:
            request = p.read_frame(requests, p.REQUESTS)
        except EOFError:
            return
        server.send(server.handle(request))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m grader.executor")
    parser.add_argument("--target", required=True)
    parser.add_argument("--module", required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--answers", type=int, required=True)
    parser.add_argument("--dump", type=int, required=True)
    args = parser.parse_args(argv)
    try:
        from grader.executor import limits
    except ImportError:  # no `resource` module (Windows): no limits to set
        pass
    else:
        limits.apply(sandboxed=False)
    run_executor(args.target, args.module, args.requests, args.answers, args.dump)


def run_executor(target: str, module: str, requests_fd: int, answers_fd: int, dump_fd: int) -> None:
    """Serve one exercise's requests until the judge hangs up, then leave at once."""
    real_exit = os._exit
    os._exit = forbid_os_exit(real_exit)  # type: ignore[assignment]
    os.fork = forbid_fork()
    sys.dont_write_bytecode = True  # never leave caches in the student's folder
    # On the judge's request (its real-time limit), every stack goes to the
    # dump pipe, so the report can name the student's line that was running.
    dump = os.fdopen(dump_fd, "w", encoding="utf-8")
    faulthandler.register(signal.SIGUSR1, file=dump, all_threads=True)
    server = Server(target, module, answers_fd)
    server.machine.start()
    server.monitor.start()
    requests = os.fdopen(requests_fd, "rb", buffering=0, closefd=False)
    try:
        serve(_Reader(requests), server)
    finally:
        # Leave at once: a thread or an atexit hook the student left behind
        # must not keep the process (and the judge) waiting.
        real_exit(0)


class _Reader:
    """Exact reads from an unbuffered pipe."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw

    def read(self, n: int) -> bytes:
        chunks = []
        while n > 0:
            chunk = self._raw.read(n)
            if not chunk:
                break
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)
