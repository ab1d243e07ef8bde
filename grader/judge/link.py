"""The judge's end of the executor: start it, ask it, watch the clock, kill it.

One `ExecutorLink` per judge session (one exercise). The executor is never a
fork of the judge: a fork would carry the hidden suites in its memory. It is
forked by the copy's executor server (`grader.executor.forkserver`, in the
sandbox when there is one), or, where no server runs and the sandbox is not
in use, started as a fresh interpreter (`python -m grader.executor`) with
three pipes (requests, answers, stack dumps), an empty working folder, a
small environment, and a session of its own so that whatever it starts dies
with it. A sandboxed executor's pid is the sandbox's own: the server signals
it on the judge's behalf.

Every answer is read with the test's real-time deadline, from here, where
the student's code cannot reach: past it, the executor is asked for its
stacks (SIGUSR1, so the report can name the line that was running), then
killed with its whole process group, and the test ends on `RealTimeout`.
An answer that is not exactly what was asked ends it on `ExecutorLost`.

An endless loop costs one real-time limit per exercise, not one per test:
once a test has been stopped in a loop, every later test of the exercise
asks for the stacks every `_PROBE` real seconds, and one found turning in
that same loop is stopped there and then. A loop that ran a whole limit
once never ends, so the verdict is the one the limit would give, sooner.

Longer than most modules on purpose: starting the executor, reading its
answers against the deadline, probing its stacks and killing it are one
state machine around one process, and each part needs the others' state.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NoReturn

from grader import protocol as p
from grader import source
from grader.judge.verdicts import ExecutorLost, RealTimeout

# Real seconds the executor gets to write its stacks once asked.
_DUMP_GRACE = 0.5
# Real seconds granted to start (an interpreter and the clock's imports),
# on top of the first test's limit.
_START_GRACE = 3.0
# The most of a stack dump kept.
_MAX_DUMP = 64 * 1024
# Real seconds between two looks for an endless loop already found.
_PROBE = 0.5

_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+) in (?P<func>\S+)')


def executor_environment(home: Path) -> dict[str, str]:
    """The executor's whole environment: nothing of the grader's but how to import it."""
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "TMPDIR": str(home),
        "LANG": "C.UTF-8",
        "PYTHONPATH": package_root,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        # Sets of strings iterate in the same order on every run.
        "PYTHONHASHSEED": "0",
    }


class ExecutorLink:
    def __init__(
        self,
        target: Path,
        module: str,
        time_limit: float,
        forkserver: str | None = None,
        sandboxed: bool = False,
    ) -> None:
        self.target = target
        self.module = module
        self.time_limit = time_limit
        # The socket of the copy's executor server, if there is one.
        self.forkserver = forkserver
        # Executors must come from that server, in the sandbox: never a fresh
        # interpreter outside it.
        self.sandboxed = sandboxed
        self._pid: int | None = None
        self._process: subprocess.Popen[bytes] | None = None  # only for a fresh interpreter
        self._requests = -1
        self._answers = -1
        self._dump = -1
        self._home: Path | None = None
        self._seq = 0
        # The latest virtual time the running test's observations reached (for the bench).
        self.virtual = 0.0
        # The running test's last call of the student's code that returned, and
        # what it did: drawn as a timeline if the test fails (`grader.judge.timeline`).
        self.last_run: tuple[str, Any] | None = None
        self._deadline = 0.0
        self._buffer = b""
        # The endless loop a test of this exercise was stopped in, and when
        # to look for it next in the running test.
        self.endless: p.Where | None = None
        self._next_probe = 0.0

    # -- life ----------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self._pid is not None

    def start(self) -> None:
        self._buffer = b""
        if self.forkserver is not None and self._start_forked(self.forkserver):
            return
        if self.sandboxed:
            raise ExecutorLost(
                "le bac à sable où tourne le programme n'a pas pu le lancer (trop de processus "
                "laissés en vie, ou mémoire épuisée ?) ; ce test ne peut pas être noté"
            )
        self._home = Path(tempfile.mkdtemp(prefix="grader-executor-"))
        self._start_interpreter(self._home)

    def _start_forked(self, path: str) -> bool:
        """An executor forked from the warm server; False if the server cannot be reached."""
        dump_r, dump_w = os.pipe()
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.settimeout(_START_GRACE)
            conn.connect(path)
            request = {"target": str(self.target), "module": self.module}
            socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [dump_w])
            header = b""
            while len(header) < 4:
                chunk = conn.recv(4 - len(header))
                if not chunk:
                    raise OSError("no executor")
                header += chunk
        except OSError:
            conn.close()
            os.close(dump_r)
            # The server is gone or could not fork (student code may have killed it,
            # outside the sandbox): a fresh interpreter then, unless sandboxed.
            self.forkserver = None
            return False
        finally:
            os.close(dump_w)  # the executor has its own copy
        (self._pid,) = struct.unpack(">I", header)
        fd = conn.detach()
        self._requests, self._answers, self._dump = fd, os.dup(fd), dump_r
        os.set_blocking(self._answers, False)
        os.set_blocking(self._dump, False)
        return True

    def _start_interpreter(self, home: Path) -> None:
        req_r, req_w = os.pipe()
        ans_r, ans_w = os.pipe()
        dump_r, dump_w = os.pipe()
        try:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "grader.executor",
                    *("--target", str(self.target)),
                    *("--module", self.module),
                    *("--requests", str(req_r)),
                    *("--answers", str(ans_w)),
                    *("--dump", str(dump_w)),
                ],
                pass_fds=(req_r, ans_w, dump_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # the student's prints: never read, never kept
                stderr=subprocess.DEVNULL,
                cwd=str(home),
                env=executor_environment(home),
                start_new_session=True,  # so a kill takes everything it started
            )
        finally:
            for fd in (req_r, ans_w, dump_w):
                os.close(fd)
        self._pid = self._process.pid
        self._requests, self._answers, self._dump = req_w, ans_r, dump_r
        os.set_blocking(self._answers, False)
        os.set_blocking(self._dump, False)

    def _signal(self, number: int, group: bool) -> bool:
        """Send a signal to the executor (its process group if `group`); False if it cannot be."""
        if self._pid is None:
            return False
        if self.sandboxed and self._process is None and self.forkserver is not None:
            return self._signal_through_server(number, group)
        try:
            (os.killpg if group else os.kill)(self._pid, number)
        except OSError:
            return False
        return True

    def _signal_through_server(self, number: int, group: bool) -> bool:
        assert self.forkserver is not None
        request = {"signal": number, "pid": self._pid, "group": group}
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(_START_GRACE)
                conn.connect(self.forkserver)
                conn.sendall(json.dumps(request).encode() + b"\n")
                return conn.recv(2) == b"ok"
        except OSError:
            return False

    def stop(self) -> None:
        """Kill the executor and everything it started; forget it."""
        self._signal(signal.SIGKILL, group=True)
        self._pid = None
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()
        for fd in (self._requests, self._answers, self._dump):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._requests = self._answers = self._dump = -1
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None

    def begin_test(self) -> None:
        """Start the executor if there is none; the running test's real-time limit starts now."""
        self.last_run = None
        grace = 0.0
        if self._pid is None:
            self.start()
            grace = _START_GRACE
        self._deadline = time.monotonic() + self.time_limit + grace
        self._next_probe = time.monotonic() + grace + _PROBE

    def restart_deadline(self) -> None:
        self._deadline = time.monotonic() + self.time_limit
        self._next_probe = time.monotonic() + _PROBE

    def _remaining(self) -> float:
        """Real seconds to wait for the executor before looking again; the test's end past them."""
        now = time.monotonic()
        if now >= self._deadline:
            self._timed_out()
        if self.endless is None:
            return self._deadline - now
        if now >= self._next_probe:
            self._probe()
            self._next_probe = now + _PROBE
        return min(self._deadline, self._next_probe) - now

    def _probe(self) -> None:
        _, where = endless_loop_message(self._collect_dump(), self.target, self.time_limit)
        if where is not None and where == self.endless:
            self.stop()
            raise RealTimeout(
                "le programme tournait dans la même boucle sans fin qu'à un test précédent de "
                f"cet exercice ({where}) : il a été arrêté aussitôt, sans attendre les "
                f"{self.time_limit:g} s. Une boucle qui ne rend jamais la main (calcul sans fin, "
                "attente active) bloque tout le programme.",
                where,
            )

    # -- asking ---------------------------------------------------------------------------
    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def ask(self, request: Any, answer_type: type) -> Any:
        """Send one request, return its answer, checked; a Verdict if there is none."""
        if self._pid is None:
            self.begin_test()
        try:
            self._write(p.encode_frame(request))
            answer: Any = self._read_answer()
        except p.ProtocolError as exc:
            self.stop()
            raise ExecutorLost(
                "le programme a envoyé au correcteur un message illisible "
                f"({exc}) : il a écrit sur le canal réservé au correcteur ; ce test ne "
                "peut pas être noté"
            ) from None
        if type(answer) is not answer_type or getattr(answer, "seq", None) != request.seq:
            self.stop()
            raise ExecutorLost(
                "le programme a envoyé au correcteur une réponse qui ne correspond pas à la "
                "question posée : il a écrit sur le canal réservé au correcteur ; ce test ne "
                "peut pas être noté"
            )
        return answer

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            remaining = self._remaining()
            _, writable, _ = select.select([], [self._requests], [], remaining)
            if not writable:
                continue
            try:
                written = os.write(self._requests, view)
            except BlockingIOError:
                continue  # a socket's two ends share the non-blocking flag
            except OSError:
                self._died()
            view = view[written:]

    def _read_exactly(self, n: int) -> bytes:
        while len(self._buffer) < n:
            remaining = self._remaining()
            readable, _, _ = select.select([self._answers], [], [], remaining)
            if not readable:
                continue
            try:
                chunk = os.read(self._answers, max(65536, n - len(self._buffer)))
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                self._died()
            self._buffer += chunk
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def _read_answer(self) -> Any:
        header = self._read_exactly(p.HEADER_SIZE)
        body = self._read_exactly(p.frame_length(header))
        return p.decode_body(body, p.ANSWERS)

    # -- when it goes wrong ----------------------------------------------------------------
    def _died(self) -> NoReturn:
        # Only a fresh interpreter is the judge's own child, with an exit status to read.
        process = self._process
        code: int | None = None
        if process is not None:
            try:
                code = process.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                code = None
        self.stop()
        shown = f" (code de sortie {code})" if code is not None else ""
        raise ExecutorLost(
            f"le programme s'est arrêté brutalement pendant ce test{shown} : os._exit, un "
            "signal, ou un plantage de l'interpréteur ?"
        )

    def _timed_out(self) -> NoReturn:
        dump = self._collect_dump()
        self.stop()
        message, where = endless_loop_message(dump, self.target, self.time_limit)
        if where is not None:
            self.endless = where
        raise RealTimeout(message, where)

    def _collect_dump(self) -> str:
        if not self._signal(signal.SIGUSR1, group=False):
            return ""
        chunks: list[bytes] = []
        size = 0
        end = time.monotonic() + _DUMP_GRACE
        while size < _MAX_DUMP:
            remaining = end - time.monotonic()
            if remaining <= 0:
                break
            readable, _, _ = select.select([self._dump], [], [], min(remaining, 0.05))
            if not readable:
                if chunks and b"most recent call first" in b"".join(chunks):
                    # A dump has come and nothing more is coming in: it is whole.
                    break
                continue
            try:
                chunk = os.read(self._dump, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)[:_MAX_DUMP].decode("utf-8", errors="replace")


def endless_loop_message(dump: str, target: Path, limit: float) -> tuple[str, p.Where | None]:
    """Word a real-time stop, naming the student's line found in the stack dump."""
    base = f"le test a dépassé {limit:g} s de temps réel : une boucle sans fin ?"
    resolved = target.resolve()
    for block in dump.split("\n\n"):
        if "most recent call first" not in block:
            continue
        for line in block.splitlines():
            match = _FRAME.match(line)
            if not match:
                continue
            try:
                inside = Path(match["file"]).resolve().is_relative_to(resolved)
            except (OSError, ValueError):
                inside = False
            if inside:
                path = Path(match["file"])
                # The loop's own line, wherever in it the stacks were taken.
                tree = source.parse_file(path)
                number = int(match["line"])
                if tree is not None:
                    number = source.steady_line(tree, number)
                where = p.Where(path.name, number, match["func"], _source_line(path, number))
                message = (
                    f"le test a dépassé {limit:g} s de temps réel ; le programme tournait encore à "
                    f"{where}. Une boucle qui ne rend jamais la main (calcul sans fin, "
                    "attente active) bloque tout le programme."
                )
                return message, where
    return base, None


def _source_line(path: Path, number: int) -> str:
    try:
        if not path.is_file() or path.stat().st_size > source.MAX_SOURCE:
            return ""  # a FIFO would block the judge; a huge file says nothing more
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return lines[number - 1].strip()[:200] if 0 < number <= len(lines) else ""
