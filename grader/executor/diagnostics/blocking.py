"""`blocking-call`, `busy-wait` and `blocking-io`: the event loop held by the student's code.

- `blocking-call`: `time.sleep` on the event loop, recorded by the clock.
- `busy-wait`: a wait that keeps the processor busy (a loop rereading the
  clock, or resuming with `asyncio.sleep(0)` until a timer fires), which the
  clock charges virtual time and records at its line.
- `blocking-io`: socket, subprocess and file functions are wrapped for the
  session. A call the student's code makes while a virtual loop runs on that
  thread is noted, then the real function runs; anywhere else (at import, in
  a plain function, in a worker thread) the wrapper just calls through.
"""

from __future__ import annotations

import builtins
import functools
import io
import os
import socket
import subprocess
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grader.executor.clock import BlockingCall
from grader.executor.diagnostics.common import (
    SEE_PITFALLS,
    Patches,
    counted,
    frame_location,
    module,
    quoted,
)
from grader.executor.diagnostics.detector import Detector
from grader.results import Diagnostic

# A frame of these packages between a blocking function and the student's
# code means the call was made on the student's behalf by the machinery
# (asyncio's own sockets, the grader, an import), not by the student.
_MACHINERY = frozenset(
    {
        "asyncio",
        "grader",
        "concurrent",
        "threading",
        "selectors",
        "importlib",
        "logging",
        "warnings",
        "linecache",
        "traceback",
        "tokenize",
        "inspect",
        "_pytest",
        "pytest",
        "pluggy",
        "freezegun",
        "hypothesis",
    }
)


def sleeps(calls: list[BlockingCall]) -> list[Diagnostic]:
    """The blocking calls the clock recorded in a test, worded."""
    return [_busy_wait(call) if call.spinning else _blocking_sleep(call) for call in calls]


def _at(kind: str, call: BlockingCall, message: str) -> Diagnostic:
    where = call.where
    return Diagnostic(
        kind=kind,
        file=where.file if where else None,
        line=where.line if where else None,
        message=message,
    )


def _blocking_sleep(call: BlockingCall) -> Diagnostic:
    where = call.where
    code = quoted(where) if where and where.code else f"time.sleep({call.duration:g})"
    held = "tout le programme est figé"
    if call.held:
        held = f"tâches retenues : {counted(call.held)}"
    said = (
        f"{code} bloque l'event loop : pendant {call.duration:g} s aucune autre tâche ne "
        f"peut avancer ({held})."
    )
    if where is not None and where.code and "sleep(" not in where.code:
        # The line calls a synchronous function that blocks (a given client,
        # a helper of the student's): it cannot become an asyncio.sleep.
        fix = (
            " Une fonction synchrone qui bloque se confie à un thread depuis une coroutine : "
            "« await asyncio.to_thread(fonction, ...) » ou « await "
            "loop.run_in_executor(None, fonction, ...) » (voir « Les pièges classiques »)."
        )
    else:
        fix = (
            " Dans une coroutine, on attend avec « await asyncio.sleep(...) », qui laisse les "
            "autres tâches travailler (voir « async et await », « Les pièges classiques »)."
        )
    return _at("blocking-call", call, said + fix)


def _busy_wait(call: BlockingCall) -> Diagnostic:
    where = call.where
    code = quoted(where) if where and where.code else "Une boucle"
    held = (
        f" ; tâches retenues : {counted(call.held)}"
        if call.held
        else " ; la tâche reprend la main sans cesse sans rien attendre"
    )
    return _at(
        "busy-wait",
        call,
        (
            f"{code} : attente active, le processeur tourne à vide pendant "
            f"{call.duration:.2f} s{held}. Pour laisser passer du temps, « await "
            "asyncio.sleep(durée) » ; pour attendre un événement, « await "
            "evenement.wait() », une file ou « asyncio.wait_for(...) » : la coroutine est "
            "suspendue et les autres tâches avancent (voir « async et await », « Les "
            "pièges classiques »)."
        ),
    )


@dataclass(frozen=True)
class _IoFunction:
    """A blocking function to watch: where it lives and what it does."""

    owner: Any
    name: str
    label: str
    what: str  # "réseau", "processus" or "fichier"
    socket_method: bool = False  # blocks only on a blocking socket


def _io_functions() -> list[_IoFunction]:
    sock = [
        _IoFunction(socket.socket, name, f"socket.{name}", "réseau", socket_method=True)
        for name in (
            "connect",
            "connect_ex",
            "accept",
            "recv",
            "recv_into",
            "recvfrom",
            "recvfrom_into",
            "send",
            "sendall",
            "sendto",
            "sendfile",
        )
    ]
    names = [
        _IoFunction(socket, name, f"socket.{name}", "réseau")
        for name in (
            "create_connection",
            "getaddrinfo",
            "gethostbyname",
            "gethostbyname_ex",
            "gethostbyaddr",
            "getnameinfo",
        )
    ]
    processes = [
        _IoFunction(subprocess, name, f"subprocess.{name}", "processus")
        for name in ("run", "call", "check_call", "check_output", "getoutput", "getstatusoutput")
    ]
    processes += [
        _IoFunction(subprocess.Popen, name, f"Popen.{name}", "processus")
        for name in ("wait", "communicate")
    ]
    processes.append(_IoFunction(os, "system", "os.system", "processus"))
    return [*sock, *names, *processes, _IoFunction(builtins, "open", "open", "fichier")]


class BlockingIo(Detector):
    """`blocking-io`: the session's socket, subprocess and file functions, wrapped."""

    _depth = 0  # calls made inside a watched call (a socket under an HTTP client) are its own

    def start(self, patches: Patches) -> None:
        for spec in _io_functions():
            patches.patch(spec.owner, spec.name, functools.partial(self._wrap, spec))
        # io.open is builtins.open, and pathlib opens files through it.
        patches.patch(io, "open", lambda _original: builtins.open)

    def _wrap(self, spec: _IoFunction, original: Callable[..., Any]) -> Callable[..., Any]:
        detector = self

        @functools.wraps(original)
        def watched(*args: Any, **kwargs: Any) -> Any:
            clock = detector.ctx.clock
            if clock is None or detector._depth or not clock.on_loop_thread():
                return original(*args, **kwargs)
            detector._depth += 1
            try:
                if not spec.socket_method or _blocking_socket(args):
                    detector._blocking_io(spec, sys._getframe(1))
                return original(*args, **kwargs)
            finally:
                detector._depth -= 1

        return watched

    def _blocking_io(self, spec: _IoFunction, frame: types.FrameType | None) -> None:
        try:
            outermost: types.FrameType | None = None
            while frame is not None and not self.ctx.is_user_file(frame.f_code.co_filename):
                if module(frame).partition(".")[0] in _MACHINERY:
                    return
                outermost = frame
                frame = frame.f_back
            if frame is None:
                return
            where = frame_location(frame)
            label = spec.label if outermost is None else _public_name(outermost)
            code = quoted(where)
            if spec.what == "réseau":
                message = (
                    f"{code} fait un appel réseau bloquant ({label}) : tant qu'il attend la "
                    "réponse, l'event loop est figée et aucune autre tâche n'avance. Dans une "
                    "coroutine, utilisez un client asynchrone (httpx.AsyncClient, aiohttp) avec "
                    f"await, ou « await asyncio.to_thread(...) » ({SEE_PITFALLS})."
                )
            elif spec.what == "processus":
                message = (
                    f"{code} attend un autre programme en bloquant ({label}) : pendant ce temps "
                    "l'event loop est figée et aucune autre tâche n'avance. Dans une coroutine, "
                    "utilisez « await asyncio.create_subprocess_exec(...) » ou « await "
                    f"asyncio.to_thread(...) » ({SEE_PITFALLS})."
                )
            else:
                message = (
                    f"{code} lit ou écrit un fichier de façon bloquante ({label}) : pendant "
                    "l'accès au disque, l'event loop est figée et aucune autre tâche n'avance. "
                    "Dans une coroutine, passez par « await asyncio.to_thread(...) » ou par une "
                    f"bibliothèque asynchrone comme aiofiles ({SEE_PITFALLS})."
                )
            self.ctx.add("blocking-io", where, message)
        except Exception:  # a diagnostic must never break the student's run
            return


def _public_name(frame: types.FrameType) -> str:
    """`urllib.request.urlopen`, `pathlib.Path.read_text`: what the student called."""
    parts = [p for p in module(frame).split(".") if not p.startswith("_")]
    return ".".join([*parts, frame.f_code.co_qualname])


def _blocking_socket(args: tuple[Any, ...]) -> bool:
    # A non-blocking socket (asyncio's own) returns at once: only a blocking one holds the loop.
    sock = args[0] if args else None
    return isinstance(sock, socket.socket) and sock.gettimeout() != 0.0
