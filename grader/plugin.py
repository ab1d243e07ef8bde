"""The pytest plugin that runs an exercise's tests against a student's module.

Loaded in the grading child (`python -m grader.child`) and usable by hand:

    python -m pytest -p grader.plugin --grader-target solutions \
        grader/suites/public/test_ex2_telechargeur.py

Each test gets a fresh virtual clock and a fresh import of the student's module.
Outcomes are built from pytest's report objects into `Outcome` records and, in
the child, streamed as JSON lines to the file the parent reads; nothing is
taken from pytest's text output.
"""

from __future__ import annotations

import faulthandler
import importlib.util
import json
import os
import random
import sys
from collections.abc import Generator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Any

import pytest

from grader.clock import (
    BusyLoopError,
    DeadlockError,
    TimeBudgetError,
    TimeMachine,
    VirtualClock,
    VirtualTimeError,
)
from grader.diagnostics import Monitor
from grader.harness import Guard, StudentError, explain_exception, tampering_error
from grader.results import Diagnostic, Status


@dataclass(frozen=True)
class Outcome:
    """What happened to one test, before points are attached by the parent."""

    test: str
    status: Status
    message: str
    duration: float  # real seconds
    virtual: float  # virtual seconds the test simulated

    __test__ = False


@dataclass
class GraderState:
    """Everything the plugin keeps for one session (in `config.stash`)."""

    target: Path
    machine: TimeMachine
    sink: IO[str] | None
    skip: frozenset[str]
    time_limit: float
    watchdog: IO[str] | None
    explanation: str = ""  # the attribute to report, as the catalogue names it
    monitor: Monitor = field(default_factory=Monitor)
    explanation_sent: bool = False
    diagnostics_seen: set[tuple[str, str | None, int | None]] = field(default_factory=set)
    outcomes: list[Outcome] = field(default_factory=list)

    def emit(self, event: dict[str, Any]) -> None:
        if self.sink is not None:
            self.sink.write(json.dumps(event, ensure_ascii=False) + "\n")
            self.sink.flush()

    def diagnose(self, diagnostic: Diagnostic) -> None:
        # Once per mistake and place: the same line met in every example of a
        # property test is one diagnostic, not a hundred.
        key = (diagnostic.kind, diagnostic.file, diagnostic.line)
        if key not in self.diagnostics_seen:
            self.diagnostics_seen.add(key)
            self.emit({"event": "diagnostic", **diagnostic.to_dict()})


STATE = pytest.StashKey[GraderState]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader")
    group.addoption("--grader-target", default="exercises", help="folder of the student's modules")
    group.addoption("--grader-results", default=None, help="JSON-lines file for outcomes")
    group.addoption("--grader-skip", default="", help="comma-separated test ids not to run")
    group.addoption("--grader-time-limit", type=float, default=0.0, help="real seconds per test")
    group.addoption("--grader-watchdog", default=None, help="file for the watchdog's stack dump")
    group.addoption(
        "--grader-explanation",
        default="",
        help="module-level string to show the instructor (from the catalogue)",
    )


def _hypothesis_profile() -> None:
    # Fixed seed per test, no real-time deadline, no example database: the same
    # code gets the same verdict on every run, idle or loaded.
    from hypothesis import HealthCheck, Phase, settings

    settings.register_profile(
        "grader",
        derandomize=True,
        deadline=None,
        database=None,
        max_examples=10,
        print_blob=False,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    )
    settings.load_profile("grader")
    _no_local_constants()


def _no_local_constants() -> None:
    # Recent hypothesis versions mix literals found in "local" modules into the
    # data they draw. Here the local modules include the student's (fresh module
    # objects each test, tracked by id()), so the examples would depend on the
    # student's code and on memory layout. The grader's examples come from the
    # strategies alone.
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - older hypothesis: nothing to switch off
        return
    if hasattr(providers, "_get_local_constants") and hasattr(providers, "Constants"):
        empty = providers.Constants()  # type: ignore[attr-defined]
        providers._get_local_constants = lambda: empty


def pytest_configure(config: pytest.Config) -> None:
    target = Path(config.getoption("--grader-target")).resolve()
    results = config.getoption("--grader-results")
    watchdog = config.getoption("--grader-watchdog")
    target_str = str(target) + os.sep

    def is_user_file(filename: str) -> bool:
        return filename.startswith(target_str)

    _hypothesis_profile()
    state = GraderState(
        target=target,
        machine=TimeMachine(is_user_file=is_user_file),
        sink=open(results, "a", encoding="utf-8") if results else None,
        skip=frozenset(s for s in config.getoption("--grader-skip").split(",") if s),
        time_limit=config.getoption("--grader-time-limit"),
        watchdog=open(watchdog, "w", encoding="utf-8") if watchdog else None,
        explanation=config.getoption("--grader-explanation"),
    )
    config.stash[STATE] = state
    sys.dont_write_bytecode = True  # never leave caches in the student's folder
    state.machine.start()
    state.monitor.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is None:
        return
    state.monitor.stop()
    state.machine.stop()
    for handle in (state.sink, state.watchdog):
        if handle is not None:
            handle.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = config.stash[STATE].skip
    if skip:
        kept = [item for item in items if _test_id(item) not in skip]
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def _test_id(item: pytest.Item) -> str:
    name = getattr(item, "originalname", None) or item.name
    return name.removeprefix("test_")


def _exercise_of(item: pytest.Item) -> str:
    return item.path.stem.removeprefix("test_")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    state = item.config.stash[STATE]
    state.emit({"event": "start", "test": _test_id(item)})
    if state.time_limit > 0 and state.watchdog is not None:
        # An endless loop never returns to Python's scheduler of signals
        # reliably; faulthandler's own thread dumps every stack (with the
        # student's line) and ends the process, and the parent reports it.
        faulthandler.dump_traceback_later(state.time_limit, exit=True, file=state.watchdog)
    try:
        return (yield)
    finally:
        if state.time_limit > 0 and state.watchdog is not None:
            faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def virtual_clock(request: pytest.FixtureRequest) -> Iterator[VirtualClock]:
    """A fresh virtual clock at 0.0 for each test."""
    state = request.config.stash[STATE]
    clock = state.machine.new_clock()
    # Student code that draws at random (durations, delays) draws the same
    # numbers on every run: a grade must not depend on luck.
    random.seed(f"{request.node.nodeid}")
    state.monitor.begin_test(clock)
    yield clock
    for diagnostic in state.monitor.end_test(clock):
        state.diagnose(diagnostic)


@pytest.fixture
def student(request: pytest.FixtureRequest, virtual_clock: VirtualClock) -> ModuleType:
    """The student's module for this test's exercise, imported fresh on the virtual clock."""
    state = request.config.stash[STATE]
    module = load_student_module(state.target, _exercise_of(request.node), virtual_clock)
    if state.explanation and not state.explanation_sent:
        state.explanation_sent = True
        explanation = getattr(module, state.explanation, None)
        if isinstance(explanation, str):
            state.emit({"event": "explanation", "text": explanation[:2000]})
    return module


class _Discard:
    """Where import-time output goes: nobody reads it, and it costs nothing."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def load_student_module(target: Path, name: str, clock: VirtualClock) -> ModuleType:
    path = target / f"{name}.py"
    if not path.is_file():
        raise StudentError(f"le fichier {name}.py est introuvable dans le dossier {target.name}/")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise StudentError(f"le fichier {name}.py ne peut pas être chargé")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    saved = sys.stdout
    sys.stdout = _Discard()
    guard = Guard.take()
    try:
        with clock.budget():
            spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        where = f"{name}.py, ligne {exc.lineno}"
        code = (exc.text or "").strip()
        detail = f" : {code}" if code else ""
        raise StudentError(
            f"erreur de syntaxe dans {where}{detail} ({exc.msg}) ; "
            "le module ne peut pas être importé"
        ) from exc
    except VirtualTimeError:
        sys.modules.pop(name, None)
        raise
    except (Exception, SystemExit) as exc:
        sys.modules.pop(name, None)
        error = explain_exception(f"l'import de {name}.py", exc, clock)
        raise StudentError(
            error.message + " ; le module ne peut pas être importé", error.where
        ) from exc
    finally:
        sys.stdout = saved
        changed = guard.restore()
    if changed:
        raise tampering_error(changed, f"l'import de {name}.py")
    return module


def describe_failure(excinfo: pytest.ExceptionInfo[BaseException]) -> tuple[Status, str]:
    """The status and French message for what a test raised."""
    exc = excinfo.value
    if isinstance(exc, StudentError):
        return Status.ERROR, exc.message
    if isinstance(exc, DeadlockError):
        return Status.ERROR, exc.describe()
    if isinstance(exc, (TimeBudgetError, BusyLoopError)):
        return Status.ERROR, str(exc)
    if isinstance(exc, AssertionError):
        text = str(exc)
        # With assertion rewriting (running the suites by hand), pytest appends
        # its own explanation after the message: the message is what we wrote.
        text = text.split("\nassert ", 1)[0].strip()
        return Status.FAILED, text or "une vérification a échoué"
    name = type(exc).__name__
    if name == "Flaky" or name.startswith("Flaky"):
        return Status.FAILED, (
            "le résultat change d'un essai à l'autre avec les mêmes données : le programme "
            "n'est pas déterministe"
        )
    # Anything else came from the checks handling what the student's code
    # returned (a wrong shape, a wrong type): a failure, never a point.
    return Status.FAILED, f"le résultat n'a pas la forme attendue ({name} : {exc})"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    state = item.config.stash[STATE]
    outcome: Outcome | None = None
    clock = state.machine.clock
    if report.when == "call" and report.passed:
        outcome = Outcome(_test_id(item), Status.PASSED, "", report.duration, clock.now)
    elif report.failed and call.excinfo is not None:
        status, message = describe_failure(call.excinfo)
        if report.when == "teardown":
            status, message = Status.ERROR, message
        outcome = Outcome(_test_id(item), status, message, report.duration, clock.now)
    if outcome is not None and not any(o.test == outcome.test for o in state.outcomes):
        state.outcomes.append(outcome)
        state.emit({"event": "result", **asdict(outcome)})
    return report
