"""The pytest plugin that runs an exercise's suites against a student's module, from outside it.

Loaded in the judge (`python -m grader.judge`), which hands it its
`protocol.JudgeTask` in-process (`grader.judge.main.TaskCarrier`); to run
one exercise by hand, `python -m grader --only EXERCISE` does the same.

The student's module never enters this process: each test's `student`
fixture asks the session's executor (`grader.judge.link`) to import it
afresh on a new virtual clock. Outcomes are built from pytest's report
objects into `protocol.TestOutcome` records and written, sealed, one per
line to the file the runner reads; nothing is taken from pytest's text
output.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest

from grader import protocol as p
from grader.judge import timeline
from grader.judge.explain import import_error, tampering_error
from grader.judge.harness import StudentModule
from grader.judge.link import ExecutorLink
from grader.judge.verdicts import (
    DeadlockError,
    RealTimeout,
    SetupStopped,
    StudentError,
    Verdict,
)
from grader.results import Cause, Diagnostic, Status, clean_text
from grader.sealed import seal

# How much of a message, and of the student's explanation, a result keeps.
MAX_MESSAGE = 4_000
MAX_EXPLANATION = 2_000


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
    outcomes: list[p.TestOutcome] = field(default_factory=list)
    # Set when the module's import itself never ended: it is the same import
    # for every test (same file, same seed), so the later tests get the same
    # verdict at once instead of one real-time limit each.
    import_stopped: SetupStopped | None = None

    def emit(self, record: p.TestStarted | p.TestOutcome | p.Diagnosed | p.Explained) -> None:
        if self.sink is not None:
            self.sink.write(seal(self.key, p.encode_line(record)) + "\n")
            self.sink.flush()

    def diagnose(self, diagnostic: Diagnostic) -> None:
        # Once per mistake and place: the same line met in every example of a
        # property test is one diagnostic, not a hundred.
        key = (diagnostic.kind, diagnostic.file, diagnostic.line)
        if key not in self.diagnostics_seen:
            self.diagnostics_seen.add(key)
            self.emit(
                p.Diagnosed(diagnostic.kind, diagnostic.file, diagnostic.line, diagnostic.message)
            )


STATE = pytest.StashKey[GraderState]()
TASK = pytest.StashKey[p.JudgeTask]()


def hypothesis_profile() -> None:
    # A fixed seed (`--hypothesis-seed`, given by the judge), no real-time
    # deadline, no example database: the same code gets the same verdict on
    # every run, idle or loaded. Not `derandomize`: it seeds each test from a
    # hash of its source, so that rewording a message in a test's body would
    # change the inputs it draws (and any verdict that depends on them).
    from hypothesis import HealthCheck, Phase, settings

    settings.register_profile(
        "grader",
        derandomize=False,
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
    # Hypothesis (6.131 and later) sometimes draws a literal found in the
    # source of the "local" modules loaded (here the grader's own: explain.py,
    # harness.py ...): 212 of them. A reworded French message would then
    # change the inputs every test draws. The pool is made empty: the inputs
    # depend on the strategies and the seed only. A private name, so looked
    # up with care: `tests/test_determinism.py` fails if a new Hypothesis
    # renames it, rather than a grade quietly changing.
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # older than the feature: nothing to switch off
        return
    if hasattr(providers, "_get_local_constants"):
        providers._get_local_constants = Constants


def pytest_configure(config: pytest.Config) -> None:
    # Set by the judge (`grader.judge.main.TaskCarrier`) before this runs.
    task = config.stash[TASK]
    target = Path(task.target).resolve()
    hypothesis_profile()
    state = GraderState(
        target=target,
        link=ExecutorLink(
            target,
            task.exercise,
            task.time_limit,
            task.executors or None,
            task.sandboxed,
        ),
        sink=open(task.results, "a", encoding="utf-8") if task.results else None,
        key=task.key,
        skip=frozenset(task.skip),
        explanation=task.explanation,
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
    state.emit(p.TestStarted(_test_id(item)))
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
                state.emit(p.Explained(text))
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


def failure_cause(excinfo: pytest.ExceptionInfo[BaseException]) -> Cause:
    """Why the test failed, when the cause makes its hint beside the point."""
    exc = _unwrapped(excinfo.value)
    return exc.cause if isinstance(exc, StudentError) else Cause.OTHER


def _at(where: p.Where | None) -> str:
    return f"{where.file}:{where.line}" if where is not None else "?"


def failure_fault(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    """A key shared by the tests one fault of the student's made fail, whatever they called.

    Messages differ from test to test (the call, the task names); the place
    of the fault does not. "" when the failure is the test's own check.
    """
    exc = _unwrapped(excinfo.value)
    if isinstance(exc, AssertionError):
        # A suite that catches a verdict to word it (`except DeadlockError`)
        # fails with an assertion whose context is the verdict.
        context = exc.__cause__ or exc.__context__
        if not isinstance(context, StudentError | Verdict):
            return ""
        exc = context
    if isinstance(exc, StudentError):
        if exc.cause is Cause.IMPORT:
            return "import"
        # Without a line, two raises of one type may be two faults: kept apart.
        if exc.error is not None and exc.error.where is not None:
            return f"raised {exc.error.type} {_at(exc.error.where)}"
        return ""
    if isinstance(exc, DeadlockError):
        return "deadlock " + " ".join(sorted({_at(s.where) for s in exc.stuck}))
    if isinstance(exc, RealTimeout) and exc.where is not None:
        return f"endless {_at(exc.where)}"
    return ""


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
    outcome: p.TestOutcome | None = None
    test = _test_id(item)
    if report.when == "call" and report.passed:
        outcome = p.TestOutcome(test, Status.PASSED.value, "", report.duration, state.link.virtual)
    elif report.failed and call.excinfo is not None:
        status, message = describe_failure(call.excinfo)
        if report.when == "teardown":
            status = Status.ERROR
        message = clean_text(message)[:MAX_MESSAGE]
        # A timing check that failed on what a call did: that call's timeline
        # shows it. Only tests marked so (`@pytest.mark.timeline`): under a
        # count or a text, bars would only be noise.
        marker = item.get_closest_marker("timeline")
        timing = status is Status.FAILED and marker is not None
        last = state.link.last_run if timing else None
        schedule = str(marker.kwargs.get("schedule", "")) if marker is not None else ""
        outcome = p.TestOutcome(
            test,
            status.value,
            message,
            report.duration,
            state.link.virtual,
            failure_cause(call.excinfo).value,
            failure_fault(call.excinfo)[:300],
            timeline.build(*last, schedule=schedule) if last is not None else None,
        )
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
        state.emit(outcome)
    return report
