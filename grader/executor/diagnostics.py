"""Pitfall diagnostics: the course's classic mistakes, seen while the code runs.

A diagnostic explains a lost point; it never costs one. The plugin asks the
`Monitor` for the diagnostics of each test once it ends; the parent keeps one
per mistake and place for the exercise.

What is watched, and how, in the grading child (one `Monitor` per session):

- `blocking-call`: `time.sleep` on the event loop, recorded by the clock.
- `busy-wait`: a wait that keeps the processor busy (a loop rereading the
  clock, or resuming with `asyncio.sleep(0)` until a timer fires), which the
  clock charges virtual time and records at its line.
- `blocking-io`: socket, subprocess and file functions are wrapped for the
  session. A call the student's code makes while a virtual loop runs on that
  thread is noted, then the real function runs; anywhere else (at import, in
  a plain function, in a worker thread) the wrapper just calls through.
- `cpu-bound`: the loop's thread only counts the callbacks it runs; a
  sampler thread reads that thread's CPU clock every few milliseconds and
  charges the time to the callback running. CPU time, because a loaded
  machine slows the code down without giving it more CPU seconds to use: the
  verdict does not flip under load. The sampler also notes where a long step
  is; that place is then widened to the loop that holds the line, so where a
  look falls does not matter.
- `never-awaited`: coroutine objects remember the line that created them
  (`sys.set_coroutine_origin_tracking_depth`); the hook Python calls for the
  "was never awaited" warning hands us the coroutine, whatever the warning
  filters say. A full garbage collection at the end of each test makes the
  late ones fire at a fixed point.
- `lost-task`: tasks still pending when `run_until_complete` returns, and
  "Task exception was never retrieved" from the loop's exception handler.
- `swallowed-cancel`: when a task is asked to stop, the except clause that
  will catch the CancelledError is found in the source along the task's
  chain of awaits; a task that was cancelled yet ended normally is the
  fallback.
- `deadlock`: when the clock finds that nothing can ever happen, each stuck
  task's wait is named, with the course's usual cause when it fits.

Every place named is a line of the student's files (`clock.is_user_file`);
nothing is reported from the grader's own code.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import functools
import gc
import io
import linecache
import os
import socket
import subprocess
import sys
import threading
import time
import tokenize
import types
import warnings
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from grader import source
from grader.executor.clock import (
    STEP_CODE,
    BlockingCall,
    Location,
    VirtualClock,
    VirtualEventLoop,
    line_location,
    task_label,
    task_location,
)
from grader.results import Diagnostic

# CPU seconds one step of a coroutine may hold the loop before it is reported:
# ordinary steps take microseconds, so noise never comes near it.
CPU_THRESHOLD = 0.25
# CPU seconds into a step when the sampler notes where it is.
_SAMPLE_AFTER = 0.1
# Real seconds between two looks of the sampler.
_WATCH_EVERY = 0.01
# Only the frame that created a coroutine matters: the line with the missing await.
_ORIGIN_DEPTH = 1
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

_SEE_PITFALLS = "voir « Les pièges classiques »"
_SEE_QUEUE = "voir « Producteurs et consommateurs avec une Queue »"


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


@dataclass
class _Patch:
    owner: Any
    name: str
    original: Any
    own: bool  # the attribute was the owner's own, not inherited


@dataclass
class _Look:
    """What the sampler saw of the loop thread at one look."""

    clock: VirtualClock
    run: int  # which start of a loop on that clock: a new run is not the same step
    thread: int
    steps: int  # callbacks begun so far
    cpu: float  # the loop thread's CPU seconds (real seconds where there is no CPU clock)


@dataclass
class _Track:
    """The CPU time charged to one callback of the loop, look after look."""

    clock: VirtualClock
    steps: int
    handle: asyncio.Handle | None
    used: float = 0.0
    # The outermost frame of the student's code in the step: (file, line, function, first line).
    sample: tuple[str, int, str, int] | None = None
    reported: bool = False


@dataclass
class _Cancel:
    """A task asked to stop whose except clause was not found: checked at the end."""

    task: asyncio.Task[Any]
    where: Location


@dataclass
class Monitor:
    """Watches one grading process; one instance per pytest session."""

    cpu_threshold: float = CPU_THRESHOLD
    _clock: VirtualClock | None = field(default=None, init=False)
    _found: list[Diagnostic] = field(default_factory=list, init=False)
    # Tasks already reported, so that a task is named once whatever sees it again.
    _lost: weakref.WeakSet[asyncio.Task[Any]] = field(default_factory=weakref.WeakSet, init=False)
    _swallowing: weakref.WeakSet[asyncio.Task[Any]] = field(
        default_factory=weakref.WeakSet, init=False
    )
    _cancels: list[_Cancel] = field(default_factory=list, init=False)
    _patches: list[_Patch] = field(default_factory=list, init=False)
    _io_depth: int = field(default=0, init=False)
    _cpu_clocks: dict[int, int | None] = field(default_factory=dict, init=False)
    _sampler: threading.Thread | None = field(default=None, init=False)
    _stopping: threading.Event = field(default_factory=threading.Event, init=False)
    # Held by the sampler while it looks, and by end_test while it collects.
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _sources: dict[str, ast.Module | None] = field(default_factory=dict, init=False)
    _saved_depth: int = field(default=0, init=False)
    _frozen: bool = field(default=False, init=False)

    # -- the session ---------------------------------------------------------------
    def start(self) -> None:
        """Called once, after the virtual clock is installed."""
        self._saved_depth = sys.get_coroutine_origin_tracking_depth()
        sys.set_coroutine_origin_tracking_depth(_ORIGIN_DEPTH)
        self._patch(warnings, "_warn_unawaited_coroutine", self._wrap_unawaited)
        for spec in _io_functions():
            self._patch(spec.owner, spec.name, functools.partial(self._wrap_io, spec))
        # io.open is builtins.open, and pathlib opens files through it.
        self._patch(io, "open", lambda _original: builtins.open)
        self._stopping.clear()
        self._sampler = threading.Thread(target=self._watch, name="grader-sampler", daemon=True)
        self._sampler.start()

    def stop(self) -> None:
        """Called once, at the end of the session."""
        self._stopping.set()
        if self._sampler is not None:
            self._sampler.join(timeout=1.0)
            self._sampler = None
        for patch in reversed(self._patches):
            if patch.own:
                setattr(patch.owner, patch.name, patch.original)
            else:
                delattr(patch.owner, patch.name)
        self._patches.clear()
        sys.set_coroutine_origin_tracking_depth(self._saved_depth)

    def _patch(self, owner: Any, name: str, make: Callable[[Any], Any]) -> Any:
        original = getattr(owner, name, None)
        if original is None:
            return None
        own = name in vars(owner)
        wrapper = make(original)
        setattr(owner, name, wrapper)
        self._patches.append(_Patch(owner, name, original, own))
        return wrapper

    def begin_test(self, clock: VirtualClock) -> None:
        """Called before each test, with that test's fresh clock."""
        if not self._frozen:
            # What is loaded by now (pytest, hypothesis, the suites) lives for the
            # whole session: set it aside so the full collection at the end of
            # each test only walks what the test made.
            gc.collect()
            gc.freeze()
            self._frozen = True
        self._clock = clock
        clock.observer = self

    def end_test(self, clock: VirtualClock) -> list[Diagnostic]:
        """The diagnostics of the test that just ended."""
        for cancel in self._cancels:
            task = cancel.task
            # Asked to stop, it ended normally all the same: it swallowed the CancelledError.
            if task.done() and not task.cancelled() and task.cancelling() > 0:
                if task not in self._swallowing:
                    self._swallowing.add(task)
                    self._swallowed_fallback(cancel, ended=True)
        self._cancels.clear()
        # Coroutines and tasks caught in reference cycles are finalized now, in
        # this test, rather than whenever the collector happens to run.
        gc.collect()
        with self._lock:  # the sampler may be charging the last step
            found = [self._blocking_sleep(call) for call in clock.blocking] + self._found
            self._found = []
        # Two threads report (the loop's and the sampler): the order of the
        # lines is the one order that never depends on which came first.
        return sorted(found, key=lambda d: (d.file or "", d.line or 0, d.kind))

    def _add(self, kind: str, where: Location, message: str) -> None:
        self._found.append(Diagnostic(kind=kind, file=where.file, line=where.line, message=message))

    def _is_user_file(self, filename: str) -> bool:
        return self._clock is not None and self._clock.is_user_file(filename)

    def _label(self, task: asyncio.Task[Any]) -> str:
        """The student's name for a task, or what it runs (`asyncio.sleep`)."""
        assert self._clock is not None
        label = task_label(task, self._clock.is_user_file)
        if label is not None:
            return label
        coro: Any = task.get_coro()
        name = getattr(coro, "__qualname__", None)
        if name is None:
            return task.get_name()
        return f"asyncio.{name}" if _module_of(getattr(coro, "cr_code", None)) else str(name)

    # -- blocking-call -------------------------------------------------------------
    def _blocking_sleep(self, call: BlockingCall) -> Diagnostic:
        if call.spinning:
            return self._busy_wait(call)
        where = call.where
        code = _quoted(where) if where and where.code else f"time.sleep({call.duration:g})"
        held = "tout le programme est figé"
        if call.held:
            held = f"tâches retenues : {_counted(call.held)}"
        return Diagnostic(
            kind="blocking-call",
            file=where.file if where else None,
            line=where.line if where else None,
            message=(
                f"{code} bloque l'event loop : pendant {call.duration:g} s aucune autre tâche ne "
                f"peut avancer ({held}). Dans une coroutine, on attend avec « await "
                "asyncio.sleep(...) », qui laisse les autres tâches travailler (voir « async et "
                "await », « Les pièges classiques »)."
            ),
        )

    def _busy_wait(self, call: BlockingCall) -> Diagnostic:
        where = call.where
        code = _quoted(where) if where and where.code else "Une boucle"
        held = (
            f" ; tâches retenues : {_counted(call.held)}"
            if call.held
            else " ; la tâche reprend la main sans cesse sans rien attendre"
        )
        return Diagnostic(
            kind="busy-wait",
            file=where.file if where else None,
            line=where.line if where else None,
            message=(
                f"{code} : attente active, le processeur tourne à vide pendant "
                f"{call.duration:.2f} s{held}. Pour laisser passer du temps, « await "
                "asyncio.sleep(durée) » ; pour attendre un événement, « await "
                "evenement.wait() », une file ou « asyncio.wait_for(...) » : la coroutine est "
                "suspendue et les autres tâches avancent (voir « async et await », « Les "
                "pièges classiques »)."
            ),
        )

    # -- blocking-io ---------------------------------------------------------------
    def _wrap_io(self, spec: _IoFunction, original: Callable[..., Any]) -> Callable[..., Any]:
        monitor = self

        @functools.wraps(original)
        def watched(*args: Any, **kwargs: Any) -> Any:
            clock = monitor._clock
            if clock is None or monitor._io_depth or not clock.on_loop_thread():
                return original(*args, **kwargs)
            # Calls made inside this one (a socket under an HTTP client) are its own.
            monitor._io_depth += 1
            try:
                if not spec.socket_method or _blocking_socket(args):
                    monitor._blocking_io(spec, sys._getframe(1))
                return original(*args, **kwargs)
            finally:
                monitor._io_depth -= 1

        return watched

    def _blocking_io(self, spec: _IoFunction, frame: types.FrameType | None) -> None:
        try:
            outermost: types.FrameType | None = None
            while frame is not None and not self._is_user_file(frame.f_code.co_filename):
                if _module(frame).partition(".")[0] in _MACHINERY:
                    return
                outermost = frame
                frame = frame.f_back
            if frame is None:
                return
            where = _frame_location(frame)
            label = spec.label if outermost is None else _public_name(outermost)
            code = _quoted(where)
            if spec.what == "réseau":
                message = (
                    f"{code} fait un appel réseau bloquant ({label}) : tant qu'il attend la "
                    "réponse, l'event loop est figée et aucune autre tâche n'avance. Dans une "
                    "coroutine, utilisez un client asynchrone (httpx.AsyncClient, aiohttp) avec "
                    f"await, ou « await asyncio.to_thread(...) » ({_SEE_PITFALLS})."
                )
            elif spec.what == "processus":
                message = (
                    f"{code} attend un autre programme en bloquant ({label}) : pendant ce temps "
                    "l'event loop est figée et aucune autre tâche n'avance. Dans une coroutine, "
                    "utilisez « await asyncio.create_subprocess_exec(...) » ou « await "
                    f"asyncio.to_thread(...) » ({_SEE_PITFALLS})."
                )
            else:
                message = (
                    f"{code} lit ou écrit un fichier de façon bloquante ({label}) : pendant "
                    "l'accès au disque, l'event loop est figée et aucune autre tâche n'avance. "
                    "Dans une coroutine, passez par « await asyncio.to_thread(...) » ou par une "
                    f"bibliothèque asynchrone comme aiofiles ({_SEE_PITFALLS})."
                )
            self._add("blocking-io", where, message)
        except Exception:  # a diagnostic must never break the student's run
            return

    # -- cpu-bound -----------------------------------------------------------------
    def _watch(self) -> None:
        """The sampler thread: charges the loop thread's CPU time to the step that used it.

        Between two looks the loop thread ran the callbacks the step counter
        says; all the CPU time of the interval goes to the one running (or
        last begun) at the second look. The loop thread cannot get far ahead
        of a look: when this thread asks for the interpreter lock, the loop
        thread hands it over within the switch interval, unless it is inside
        one long call into C, and then that call is the step's own work.
        """
        last: _Look | None = None
        track: _Track | None = None
        while not self._stopping.wait(_WATCH_EVERY):
            with self._lock:
                try:
                    last, track = self._look(last, track)
                except Exception:  # a diagnostic must never break the grading
                    last, track = None, None

    def _look(self, last: _Look | None, track: _Track | None) -> tuple[_Look | None, _Track | None]:
        clock = self._clock
        thread = clock.loop_thread() if clock is not None else None
        if clock is None or thread is None:
            return None, None
        (run, run_cpu), steps, handle = clock.run_start, clock.steps, clock.step
        cpu, per_thread = self._thread_cpu(thread)
        now = _Look(clock, run, thread, steps, cpu)
        if last is not None and (last.clock, last.run, last.thread) == (clock, run, thread):
            since = last.cpu
        elif per_thread:
            since = run_cpu  # a loop started since the last look: charge from its start
        else:
            return now, None
        if track is None or track.clock is not clock or track.steps != steps:
            track = _Track(clock, steps, handle)
        track.used += cpu - since
        if track.used >= _SAMPLE_AFTER and track.sample is None:
            frame = sys._current_frames().get(thread)
            if clock.steps == steps:
                track.sample = self._step_frame(frame)
        if track.used >= self.cpu_threshold and not track.reported:
            track.reported = True
            self._cpu_bound(track)
        return now, track

    def _thread_cpu(self, thread: int) -> tuple[float, bool]:
        """The loop thread's CPU time, and whether it is that (else real time)."""
        if thread not in self._cpu_clocks:
            try:
                self._cpu_clocks[thread] = time.pthread_getcpuclockid(thread)
            except (AttributeError, OSError):  # no per-thread CPU clock here (macOS, Windows)
                self._cpu_clocks[thread] = None
        cpu_clock = self._cpu_clocks[thread]
        if cpu_clock is not None:
            return time.clock_gettime(cpu_clock), True
        return _real_monotonic(), False

    def _step_frame(self, frame: types.FrameType | None) -> tuple[str, int, str, int] | None:
        """The outermost frame of the student's code inside the running step.

        The outermost one, because it stays put while the step runs (the line
        that calls the heavy helper), where the innermost one moves with it.
        """
        found = None
        while frame is not None:
            code = frame.f_code
            if code is STEP_CODE:
                return found
            if self._is_user_file(code.co_filename):
                found = (code.co_filename, frame.f_lineno, code.co_name, code.co_firstlineno)
            frame = frame.f_back
        return None  # between two steps

    def _cpu_bound(self, track: _Track) -> None:
        where = None
        if track.sample is not None:
            filename, line, function, first = track.sample
            where = line_location(filename, self._steady_line(filename, line, first), function)
        else:
            # No sample: one long call into C kept the sampler out. Name the
            # function the step ran, which does not depend on when we looked.
            where = self._callback_location(track.handle)
        if where is None:
            return
        self._add(
            "cpu-bound",
            where,
            f"{_quoted(where)} calcule sans rendre la main : plus de {self.cpu_threshold:g} s "
            "de processeur d'affilée sur l'event loop, pendant lesquelles aucune autre tâche "
            "n'avance. Confiez le calcul à un exécuteur : « await asyncio.to_thread(f, ...) », "
            "ou « loop.run_in_executor(ProcessPoolExecutor(), f, ...) » pour un vrai calcul "
            f"({_SEE_PITFALLS}).",
        )

    def _callback_location(self, handle: asyncio.Handle | None) -> Location | None:
        callback = getattr(handle, "_callback", None)
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, asyncio.Task):
            code = getattr(owner.get_coro(), "cr_code", None)
        else:
            code = getattr(callback, "__code__", None)
        if code is None or not self._is_user_file(code.co_filename):
            return None
        return line_location(code.co_filename, code.co_firstlineno, code.co_name)

    def _steady_line(self, filename: str, line: int, first: int) -> int:
        """The line a sample stands for: the same wherever in the computation it fell."""
        tree = self._tree(filename)
        return source.steady_line(tree, line, first) if tree is not None else line

    def _path(self, filename: str, first: int, line: int) -> list[ast.AST]:
        tree = self._tree(filename)
        return source.path_in(tree, line, first) if tree is not None else []

    def _tree(self, filename: str) -> ast.Module | None:
        if filename not in self._sources:
            try:
                # linecache already holds the file (the locations quote it).
                self._sources[filename] = ast.parse("".join(linecache.getlines(filename)))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._sources[filename] = None
        return self._sources[filename]

    # -- never-awaited -------------------------------------------------------------
    def _wrap_unawaited(self, original: Callable[[Any], None]) -> Callable[[Any], None]:
        monitor = self

        def warn_unawaited_coroutine(coro: Any) -> None:
            monitor._never_awaited(coro)
            original(coro)

        return warn_unawaited_coroutine

    def _never_awaited(self, coro: Any) -> None:
        try:
            origin = getattr(coro, "cr_origin", None)
            if not origin or not self._is_user_file(origin[0][0]):
                return
            filename, line, function = origin[0]
            where = line_location(filename, line, function)
            code = getattr(coro, "cr_code", None)
            name = str(getattr(coro, "__qualname__", "coroutine")).rpartition("<locals>.")[2]
            module = _module_of(code)
            if module.startswith("asyncio"):
                name = f"asyncio.{name}"
            if self._awaits_at(filename, line):
                # The await is there: the call it awaits failed before awaiting the
                # coroutine handed to it (wait_for given a timeout that is a str).
                message = (
                    f"{_quoted(where)} : la coroutine {name}() créée à cette ligne n'a jamais "
                    "été exécutée : l'appel à qui elle est passée ne l'a pas attendue, le plus "
                    "souvent parce qu'il a levé une exception avant (un autre de ses arguments "
                    "ne va pas : voyez l'erreur du test). S'il attend un résultat et non une "
                    f"coroutine, passez-lui « await {name}(...) » (voir « Les outils "
                    "principaux »)."
                )
            elif code is not None and code is _ASYNCIO_SLEEP_CODE:
                message = (
                    f"{_quoted(where)} : asyncio.sleep(...) sans await n'attend pas du tout. Il "
                    "crée une coroutine aussitôt jetée, et le programme continue sans pause. "
                    "Écrivez « await asyncio.sleep(...) » (voir « async et await », « Les pièges "
                    "classiques »)."
                )
            else:
                message = (
                    f"{_quoted(where)} appelle {name}() sans await : l'appel renvoie un objet "
                    f"coroutine au lieu de son résultat, et le corps de {name} ne s'exécute jamais "
                    "(Python prévient seulement « was never awaited »). Ajoutez « await » devant "
                    "l'appel, ou lancez-la avec asyncio.create_task (voir « async et await », "
                    "« Les pièges classiques »)."
                )
            self._add("never-awaited", where, message)
        except Exception:  # called from a finalizer: must never raise
            return

    def _awaits_at(self, filename: str, line: int) -> bool:
        """Whether the statement holding `line` awaits something."""
        tree = self._tree(filename)
        if tree is None:
            return False
        statements = [n for n in source.path_in(tree, line) if isinstance(n, ast.stmt)]
        return bool(statements) and source.has(statements[-1], ast.Await) is not None

    # -- lost-task -----------------------------------------------------------------
    def run_returned(self, loop: VirtualEventLoop) -> None:
        try:
            left = sorted((t for t in asyncio.all_tasks(loop) if not t.done()), key=_task_order)
            for task in left:
                # A task the student cancelled is on its way out, even if no one waits for it.
                if task in self._lost or task.cancelling() > 0:
                    continue
                self._lost.add(task)
                self._lost_pending(task)
        except Exception:  # a diagnostic must never break the student's run
            return

    def _lost_pending(self, task: asyncio.Task[Any]) -> None:
        assert self._clock is not None
        waiting = task_location(task, self._clock.is_user_file)
        created = getattr(task, "created_at", None)
        where = created or waiting
        if where is None:
            return
        label = self._label(task)
        still = ""
        if waiting is not None and waiting != where:
            still = f" : elle attendait encore ligne {waiting.line} ({_quoted(waiting)})"
        self._add(
            "lost-task",
            where,
            f"la tâche {label} lancée par {_quoted(where)} n'était pas terminée quand le programme "
            f"a rendu la main{still}. Une tâche créée doit être attendue (await, gather, "
            "as_completed) ; sinon elle est annulée à la fermeture de la boucle et son travail est "
            "perdu (voir « Les outils principaux »).",
        )

    def exception(self, loop: VirtualEventLoop, context: dict[str, Any]) -> None:
        try:
            task = context.get("future")
            exc = context.get("exception")
            if (
                not str(context.get("message", "")).endswith("exception was never retrieved")
                or not isinstance(task, asyncio.Task)
                or exc is None
                or self._clock is None
            ):
                return
            where = getattr(task, "created_at", None)
            if where is None:
                return
            label = self._label(task)
            raised = _raised_at(exc, self._is_user_file)
            at = f", ligne {raised.line}" if raised is not None else ""
            detail = _short(str(exc))
            shown = f"{type(exc).__name__} : {detail}" if detail else type(exc).__name__
            self._add(
                "lost-task",
                where,
                f"la tâche {label} lancée par {_quoted(where)} a échoué ({shown}{at}) et personne "
                "n'a récupéré son exception : elle n'a jamais été attendue, alors l'erreur passe "
                "inaperçue. Attendez chaque tâche (await, ou gather avec return_exceptions=True) "
                "pour en voir les erreurs (voir « Les outils principaux »).",
            )
        except Exception:  # called from a finalizer: must never raise
            return

    # -- swallowed-cancel ----------------------------------------------------------
    def task_cancelling(self, task: asyncio.Task[Any]) -> None:
        try:
            if task in self._swallowing or any(c.task is task for c in self._cancels):
                return
            caller = sys._getframe(2)
            # asyncio.timeout and TaskGroup cancel the task and turn the
            # CancelledError into their own result when it reaches them: only
            # the code inside them can swallow it.
            scoped = _module(caller) in ("asyncio.timeouts", "asyncio.taskgroups")
            frames = _chain(task)
            user = [f for f in frames if self._is_user_file(f.f_code.co_filename)]
            if not user:
                return  # not started, or none of the student's code on its way
            clause = self._catching_clause(frames, scoped)
            if clause is not None:
                self._swallowing.add(task)
                where, handler = clause
                self._swallowed(where, handler)
                return
            if scoped:
                # asyncio's own bookkeeping of these cancellations is not to be
                # trusted (a TaskGroup leaves its parent "cancelling" until 3.13).
                return
            innermost = user[-1]
            where = _frame_location(innermost)
            self._cancels.append(_Cancel(task, where))
        except Exception:  # a diagnostic must never break the student's run
            return

    def _catching_clause(
        self, frames: list[types.FrameType], scoped: bool
    ) -> tuple[Location, ast.AST] | None:
        """Where the CancelledError thrown at the await will be caught and not raised again."""
        for frame in reversed(frames):
            code = frame.f_code
            if not self._is_user_file(code.co_filename):
                if scoped and code.co_name == "wait_for" and _module(frame).startswith("asyncio"):
                    return None
                continue
            path = self._path(code.co_filename, code.co_firstlineno, frame.f_lineno)
            found = _catcher(path, scoped)
            if found is _CONVERTED:
                return None
            if isinstance(found, ast.AST):
                line = found.lineno  # type: ignore[attr-defined]
                return line_location(code.co_filename, line, code.co_name), found
        return None

    def _swallowed(self, where: Location, handler: ast.AST) -> None:
        catches_all = isinstance(handler, ast.ExceptHandler) and _catches_everything(handler.type)
        if isinstance(handler, ast.ExceptHandler) and not catches_all:
            what = "attrape l'annulation de la tâche (asyncio.CancelledError) sans la relancer"
            fix = "Après le nettoyage, relancez-la avec « raise »"
        elif catches_all:
            what = (
                "attrape tout, y compris l'annulation de la tâche (asyncio.CancelledError), "
                "sans la relancer"
            )
            fix = (
                "Attrapez « except Exception », qui laisse passer l'annulation, ou relancez "
                "avec « raise »"
            )
        elif isinstance(handler, ast.Return):
            what = (
                "sort d'un bloc finally et y perd l'annulation de la tâche (asyncio.CancelledError)"
            )
            fix = "Ne quittez pas un bloc finally par return"
        else:
            what = "étouffe l'annulation de la tâche (asyncio.CancelledError)"
            fix = "Laissez passer asyncio.CancelledError"
        self._add(
            "swallowed-cancel",
            where,
            f"{_quoted(where)} {what} : la tâche continue comme si de rien n'était, alors un délai "
            f"(wait_for, timeout) ne peut plus l'interrompre et elle ne s'arrête pas quand on "
            f"l'annule. {fix} (voir « Les outils principaux » : wait_for annule la tâche en "
            "retard).",
        )

    def _swallowed_fallback(self, cancel: _Cancel, *, ended: bool) -> None:
        where = cancel.where
        then = "s'est terminée normalement" if ended else "s'est remise à attendre"
        self._add(
            "swallowed-cancel",
            where,
            f"la tâche annulée pendant qu'elle attendait à {_quoted(where)} {then} : "
            "l'annulation (asyncio.CancelledError) a été attrapée sans être relancée, si bien "
            "qu'un délai (wait_for, timeout) ne peut plus l'interrompre. Relancez-la avec "
            "« raise » après le nettoyage (voir « Les outils principaux »).",
        )

    # -- deadlock ------------------------------------------------------------------
    def deadlock(self, loop: VirtualEventLoop) -> None:
        try:
            self._deadlock(loop)
        except Exception:  # the DeadlockError itself is what matters
            return

    def _deadlock(self, loop: VirtualEventLoop) -> None:
        assert self._clock is not None
        is_user = self._clock.is_user_file
        waits: dict[tuple[str, int], tuple[Location, str, list[str]]] = {}
        knock_on: dict[tuple[str, int], tuple[Location, str, list[str]]] = {}
        for task in sorted((t for t in asyncio.all_tasks(loop) if not t.done()), key=_task_order):
            for cancel in self._cancels:
                if cancel.task is task and task not in self._swallowing:
                    # Asked to stop, it went back to waiting: it swallowed the CancelledError.
                    self._swallowing.add(task)
                    self._swallowed_fallback(cancel, ended=False)
            if task.cancelling() > 0:
                continue  # asked to stop and refusing: named above, not a wait of its own
            frames = _chain(task)
            inner = [i for i, f in enumerate(frames) if is_user(f.f_code.co_filename)]
            if not inner:
                continue
            frame = frames[inner[-1]]
            where = _frame_location(frame)
            below = frames[inner[-1] + 1] if inner[-1] + 1 < len(frames) else None
            cause = _wait_cause(below, task)
            label = self._label(task)
            into = knock_on if cause == "autre tâche" else waits
            entry = into.setdefault((where.file, where.line), (where, cause, []))
            entry[2].append(label)
        for where, cause, labels in (waits or knock_on).values():
            self._add("deadlock", where, _deadlock_message(where, cause, labels))


# -- helpers ---------------------------------------------------------------------------
def _frame_location(frame: types.FrameType) -> Location:
    return line_location(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)


def _quoted(where: Location) -> str:
    code = _without_comment(where.code)
    return f"« {code} »" if code else f"la ligne {where.line}"


def _without_comment(code: str) -> str:
    """The line as code: the student's own comment is theirs to read, not ours to quote."""
    if "#" not in code:
        return code
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.COMMENT:
                return code[: token.start[1]].rstrip()
    except (tokenize.TokenError, SyntaxError):
        pass  # the first line of a statement that goes on: what was read is enough
    return code


def _counted(labels: Iterable[str]) -> str:
    counts = Counter(labels)
    return ", ".join(f"{name} ×{n}" if n > 1 else name for name, n in sorted(counts.items()))


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _module(frame: types.FrameType) -> str:
    return str(frame.f_globals.get("__name__", ""))


def _module_of(code: types.CodeType | None) -> str:
    if code is None:
        return ""
    asyncio_dir = os.path.dirname(asyncio.__file__) + os.sep
    return "asyncio" if code.co_filename.startswith(asyncio_dir) else ""


def _public_name(frame: types.FrameType) -> str:
    """`urllib.request.urlopen`, `pathlib.Path.read_text`: what the student called."""
    parts = [p for p in _module(frame).split(".") if not p.startswith("_")]
    return ".".join([*parts, frame.f_code.co_qualname])


def _blocking_socket(args: tuple[Any, ...]) -> bool:
    # A non-blocking socket (asyncio's own) returns at once: only a blocking one holds the loop.
    sock = args[0] if args else None
    return isinstance(sock, socket.socket) and sock.gettimeout() != 0.0


def _task_order(task: asyncio.Task[Any]) -> tuple[int, str]:
    name = task.get_name()
    number = name.removeprefix("Task-")
    return (int(number), "") if number.isdigit() else (0, name)


def _chain(task: asyncio.Task[Any]) -> list[types.FrameType]:
    """The frames of a suspended task's chain of awaits, outermost first."""
    frames = []
    coro: Any = task.get_coro()
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
        if frame is None:
            break
        frames.append(frame)
        coro = getattr(coro, "cr_await", None)
    return frames


def _raised_at(exc: BaseException, is_user: Callable[[str], bool]) -> Location | None:
    found = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if is_user(code.co_filename):
            found = line_location(code.co_filename, tb.tb_lineno, code.co_name)
        tb = tb.tb_next
    return found


_ASYNCIO_SLEEP_CODE = asyncio.sleep.__code__
# Real time for the sampler where there is no per-thread CPU clock: taken
# before the grader's time patches, which make time.monotonic virtual.
_real_monotonic = time.monotonic


# -- reading the student's source ------------------------------------------------------
def _final_name(expr: ast.AST | None) -> str:
    if isinstance(expr, ast.Call):
        expr = expr.func
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return ""


def _catches_everything(expr: ast.expr | None) -> bool:
    if expr is None:
        return True
    if isinstance(expr, ast.Tuple):
        return any(_catches_everything(e) for e in expr.elts)
    return _final_name(expr) == "BaseException"


def _catches_cancel(expr: ast.expr | None) -> bool:
    if isinstance(expr, ast.Tuple):
        return any(_catches_cancel(e) for e in expr.elts)
    return _catches_everything(expr) or _final_name(expr) == "CancelledError"


# What `_catcher` answers when asyncio's own timeout or task group will turn
# the CancelledError into its result before any outer handler sees it.
_CONVERTED = object()


def _catcher(path: list[ast.AST], scoped: bool) -> ast.AST | object | None:
    """In one function, the clause that catches a CancelledError raised at the path's line."""
    for depth in range(len(path) - 1, -1, -1):
        node = path[depth]
        child = path[depth + 1] if depth + 1 < len(path) else None
        if isinstance(node, (ast.Try, ast.TryStar)) and child is not None and child in node.body:
            handler = next((h for h in node.handlers if _catches_cancel(h.type)), None)
            if handler is not None and not source.has(handler, ast.Raise):
                return handler
            # Raised again, or not caught: a return in `finally` still drops it.
            for statement in node.finalbody:
                if isinstance(statement, ast.Return):
                    return statement
                if (leave := source.has(statement, ast.Return)) is not None:
                    return leave
        if isinstance(node, (ast.With, ast.AsyncWith)) and child is not None and child in node.body:
            for item in node.items:
                name = _final_name(item.context_expr)
                call = item.context_expr
                if (
                    name == "suppress"
                    and isinstance(call, ast.Call)
                    and any(_catches_cancel(arg) for arg in call.args)
                ):
                    return node
                if scoped and name in ("timeout", "timeout_at", "TaskGroup"):
                    return _CONVERTED
    return None


def _wait_cause(below: types.FrameType | None, task: asyncio.Task[Any]) -> str:
    """What a stuck task waits on, from the asyncio frame just under the student's await."""
    if below is None or not _module(below).startswith("asyncio"):
        waiter = getattr(task, "_fut_waiter", None)
        if isinstance(waiter, asyncio.Task) or type(waiter).__name__ == "_GatheringFuture":
            return "autre tâche"
        return "future"
    qualname = below.f_code.co_qualname
    if qualname == "Queue.get":
        return "get"
    if qualname == "Queue.put":
        return "put"
    if qualname == "Queue.join":
        queue = below.f_locals.get("self")
        empty = isinstance(queue, asyncio.Queue) and queue.empty()
        return "join" if empty else "join non vide"
    if qualname == "Event.wait":
        return "event"
    if qualname.split(".")[-1] in ("acquire", "wait", "wait_for") and qualname.split(".")[0] in (
        "Lock",
        "Semaphore",
        "BoundedSemaphore",
        "Condition",
        "Barrier",
    ):
        return "verrou"
    if qualname == "sleep":
        return "sommeil"
    return "autre tâche"


_BOUNDED_WAIT = (
    "Une attente qui peut ne jamais finir se borne avec asyncio.wait_for (voir « Les outils "
    "principaux »)."
)
_DEADLOCK_CAUSES: Mapping[str, str] = MappingProxyType(
    {
        "get": (
            "la file est vide et plus personne ne la remplira. Cause habituelle : le producteur a "
            "fini sans déposer une sentinelle None pour chaque consommateur ; chaque consommateur "
            f"doit s'arrêter en recevant la sienne ({_SEE_QUEUE})."
        ),
        "join": (
            "queue.join() rend la main quand chaque élément retiré par get() a été marqué traité "
            "avec queue.task_done() ; il en manque : appelez task_done() une fois par get() "
            f"({_SEE_QUEUE})."
        ),
        "join non vide": (
            "il reste des éléments dans la file et plus aucun consommateur pour les retirer "
            f"({_SEE_QUEUE})."
        ),
        "put": f"la file est pleine et plus personne ne la vide ({_SEE_QUEUE}).",
        "event": f"personne n'appellera event.set(). {_BOUNDED_WAIT}",
        "verrou": f"le verrou (Lock, Semaphore, Condition) ne sera jamais relâché. {_BOUNDED_WAIT}",
        "sommeil": (
            f"la durée est infinie et plus rien d'autre ne peut se produire. {_BOUNDED_WAIT}"
        ),
        "future": f"elle attend un résultat (un Future) que personne ne fournira. {_BOUNDED_WAIT}",
        "autre tâche": (
            f"elle attend une tâche qui attend elle aussi pour toujours. {_BOUNDED_WAIT}"
        ),
    }
)


def _deadlock_message(where: Location, cause: str, labels: list[str]) -> str:
    who = f"la tâche {labels[0]}" if len(labels) == 1 else f"les tâches {_counted(labels)}"
    verb = "attend" if len(labels) == 1 else "attendent"
    cause_text = _DEADLOCK_CAUSES[cause]
    return f"{who} {verb} pour toujours à {_quoted(where)} : {cause_text}"
