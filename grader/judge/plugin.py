"""The pytest plugin that runs an exercise's suites against a student's module, from outside it.

Loaded in the judge (`python -m grader.judge`) and usable by hand:

    python -m pytest -p grader.judge.plugin --grader-target solutions \
        grader/suites/public/test_ex2_telechargeur.py

The student's module never enters this process: each test's `student`
fixture asks the session's executor (`grader.judge.link`) to import it
afresh on a new virtual clock. Outcomes are built from pytest's report
objects into `Outcome` records and streamed as JSON lines to the file the
runner reads; nothing is taken from pytest's text output.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

from grader import protocol as p
from grader.judge.harness import StudentModule, import_error, tampering_error
from grader.judge.link import ExecutorLink
from grader.judge.verdicts import (
    DeadlockError,
    RealTimeout,
    SetupStopped,
    StudentError,
    Verdict,
)
from grader.results import Diagnostic, Status, clean_text
from grader.sealed import seal

# How much of a message, and of the student's explanation, a result keeps.
MAX_MESSAGE = 4_000
MAX_EXPLANATION = 2_000


@dataclass(frozen=True)
class Outcome:
    """What happened to one test, before points are attached by the runner."""

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
    link: ExecutorLink
    sink: IO[str] | None
    key: str
    skip: frozenset[str]
    explanation: str = ""  # the attribute to report, as the catalogue names it
    explanation_sent: bool = False
    diagnostics_seen: set[tuple[str, str | None, int | None]] = field(default_factory=set)
    outcomes: list[Outcome] = field(default_factory=list)
    # Set when the module's import itself never ended: it is the same import
    # for every test (same file, same seed), so the later tests get the same
    # verdict at once instead of one real-time limit each.
    import_stopped: SetupStopped | None = None

    def emit(self, event: dict[str, Any]) -> None:
        if self.sink is not None:
            line = json.dumps(event, ensure_ascii=False)
            self.sink.write(seal(self.key, line) + "\n")
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
    group.addoption("--grader-key", default="", help="key that seals each results line")
    group.addoption("--grader-executors", default="", help="socket of the executor fork server")
    group.addoption(
        "--grader-sandboxed",
        action="store_true",
        help="executors only from that server, in its sandbox: never a fresh interpreter",
    )
    group.addoption("--grader-skip", default="", help="comma-separated test ids not to run")
    group.addoption("--grader-time-limit", type=float, default=5.0, help="real seconds per test")
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


def _exercise_module(config: pytest.Config) -> str:
    # Every suite file of a session is test_<exercise>.py of one exercise.
    for arg in config.args:
        name = Path(arg).stem
        if name.startswith("test_"):
            return name.removeprefix("test_")
    return ""


def pytest_configure(config: pytest.Config) -> None:
    target = Path(config.getoption("--grader-target")).resolve()
    results = config.getoption("--grader-results")
    _hypothesis_profile()
    state = GraderState(
        target=target,
        link=ExecutorLink(
            target,
            _exercise_module(config),
            config.getoption("--grader-time-limit"),
            config.getoption("--grader-executors") or None,
            config.getoption("--grader-sandboxed"),
        ),
        sink=open(results, "a", encoding="utf-8") if results else None,
        key=config.getoption("--grader-key"),
        skip=frozenset(s for s in config.getoption("--grader-skip").split(",") if s),
        explanation=config.getoption("--grader-explanation"),
    )
    config.stash[STATE] = state


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is None:
        return
    state.link.stop()
    if state.sink is not None:
        state.sink.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = config.stash[STATE].skip
    if skip:
        kept = [item for item in items if _test_id(item) not in skip]
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def _test_id(item: pytest.Item) -> str:
    name = getattr(item, "originalname", None) or item.name
    return name.removeprefix("test_")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    state = item.config.stash[STATE]
    state.emit({"event": "start", "test": _test_id(item)})
    return (yield)


@pytest.fixture
def student(request: pytest.FixtureRequest) -> Iterator[StudentModule]:
    """The student's module for this test, imported fresh by the executor on a new clock."""
    state = request.config.stash[STATE]
    link = state.link
    if state.import_stopped is not None:
        raise state.import_stopped
    link.virtual = 0.0
    try:
        link.begin_test()
        # Student code that draws at random draws the same numbers on every run.
        seed = f"{_test_id(request.node)}/{request.node.nodeid}"
        loaded: p.Loaded = link.ask(
            p.Begin(link.next_seq(), _test_id(request.node), seed), p.Loaded
        )
    except RealTimeout as verdict:
        state.import_stopped = SetupStopped(verdict)
        raise state.import_stopped from None
    except Verdict as verdict:
        raise SetupStopped(verdict) from None
    # The import had its own limit (with the executor's start-up on a first
    # test); the test's calls get a whole one.
    link.restart_deadline()
    try:
        if loaded.error is not None:
            raise import_error(link.module, loaded.error)
        if loaded.tampered:
            raise tampering_error(list(loaded.tampered), f"l'import de {link.module}.py")
        module = StudentModule(link, loaded, seed)
        if state.explanation and not state.explanation_sent:
            state.explanation_sent = True
            attribute = loaded.attributes.get(state.explanation)
            if attribute is not None and type(attribute.value) is str:
                text = clean_text(attribute.value)[:MAX_EXPLANATION]
                state.emit({"event": "explanation", "text": text})
        yield module
    finally:
        _end_test(state, _test_id(request.node))


def _end_test(state: GraderState, test: str) -> None:
    link = state.link
    if not link.alive:
        return
    try:
        ended: p.Ended = link.ask(p.End(link.next_seq(), test), p.Ended)
    except Verdict:
        return  # the test's own verdict already says what happened
    for d in ended.diagnostics[:50]:
        state.diagnose(
            Diagnostic(
                kind=clean_text(d.kind)[:40],
                file=None if d.file is None else clean_text(d.file)[:200],
                line=d.line,
                message=clean_text(d.message)[:MAX_MESSAGE],
            )
        )


def _unwrapped(exc: BaseException) -> BaseException:
    return exc.verdict if isinstance(exc, SetupStopped) else exc


def describe_failure(excinfo: pytest.ExceptionInfo[BaseException]) -> tuple[Status, str]:
    """The status and French message for what a test raised."""
    exc = _unwrapped(excinfo.value)
    if isinstance(exc, StudentError):
        return Status.ERROR, exc.message
    if isinstance(exc, DeadlockError):
        return Status.ERROR, exc.describe()
    if isinstance(exc, Verdict):
        return exc.status, exc.message
    if isinstance(exc, AssertionError):
        text = str(exc)
        # With assertion rewriting (running the suites by hand), pytest appends
        # its own explanation after the message: the message is what we wrote.
        text = text.split("\nassert ", 1)[0].strip()
        return Status.FAILED, text or "une vérification a échoué"
    from hypothesis.errors import Flaky

    if isinstance(exc, Flaky):
        return Status.FAILED, (
            "le résultat change d'un essai à l'autre avec les mêmes données : le programme "
            "n'est pas déterministe"
        )
    # Anything else came from the checks handling what the student's code
    # returned (a wrong shape, a wrong type): a failure, never a point.
    return Status.FAILED, f"le résultat n'a pas la forme attendue ({type(exc).__name__} : {exc})"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    state = item.config.stash[STATE]
    outcome: Outcome | None = None
    test = _test_id(item)
    if report.when == "call" and report.passed:
        outcome = Outcome(test, Status.PASSED, "", report.duration, state.link.virtual)
    elif report.failed and call.excinfo is not None:
        status, message = describe_failure(call.excinfo)
        if report.when == "teardown":
            status = Status.ERROR
        message = clean_text(message)[:MAX_MESSAGE]
        outcome = Outcome(test, status, message, report.duration, state.link.virtual)
        where = getattr(_unwrapped(call.excinfo.value), "where", None)
        if status is Status.TIMEOUT and isinstance(where, p.Where):
            state.diagnose(
                Diagnostic(
                    kind="endless-loop",
                    file=where.file,
                    line=where.line,
                    message=(
                        f"le programme tournait sans fin à {where} ; une coroutine qui ne "
                        "rend jamais la main à l'event loop bloque toutes les autres "
                        "(voir « Les pièges classiques »)."
                    ),
                )
            )
    if outcome is not None and not any(o.test == outcome.test for o in state.outcomes):
        state.outcomes.append(outcome)
        state.emit({"event": "result", **asdict(outcome)})
    return report
