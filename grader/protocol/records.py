"""The records judge, executor and runner send each other, and which may come from whom."""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.protocol.values import Value
from grader.results import Timeline


@dataclass(frozen=True)
class Where:
    """A line of the student's code."""

    file: str
    line: int
    function: str
    code: str

    def __str__(self) -> str:
        text = f"{self.file}, ligne {self.line}, dans {self.function}"
        return f"{text} : {self.code}" if self.code else text


@dataclass(frozen=True)
class FakeSpec:
    """A stand-in the executor puts in the student's module for one call.

    Called with a first argument equal to a row's key, it waits that row's
    delay (asyncio.sleep, or time.sleep when not asynchronous) and returns the
    row's result; any other call waits `default_delay` and returns
    `default_result`. Its calls are recorded under its name.
    """

    name: str
    asynchronous: bool = True
    rows: tuple[tuple[Value, float, Value], ...] = ()
    default_delay: float = 0.0
    default_result: Value = None


@dataclass(frozen=True)
class QueueArg:
    """In a call's arguments: a fresh asyncio.Queue whose puts are recorded.

    With `drain`, a task of the executor's takes every item out as it comes
    (as consumers would), so that a producer waiting on `queue.join()` ends.
    """

    drain: bool = False


@dataclass(frozen=True)
class Begin:
    """Start a test: a fresh virtual clock, `random` seeded with `seed`, the module imported."""

    seq: int
    test: str
    seed: str


@dataclass(frozen=True)
class Call:
    """Call the module's `function` on the virtual clock and report what happened.

    `spies` wraps module functions to record their calls; `fakes` replaces
    them; `patch` sets module attributes (a list in place); all are undone
    after the call. With `limit`, a coroutine still running at that virtual
    time is cancelled and reported as `still_running`.
    """

    seq: int
    function: str
    args: tuple[Value, ...] = ()
    kwargs: dict[str, Value] = field(default_factory=dict)
    spies: tuple[str, ...] = ()
    fakes: tuple[FakeSpec, ...] = ()
    patch: dict[str, Value] = field(default_factory=dict)
    queues: tuple[tuple[int, QueueArg], ...] = ()  # (position among the arguments, queue)
    limit: float | None = None
    budget: float = 600.0


@dataclass(frozen=True)
class End:
    """End a test: the diagnostics it gave."""

    seq: int
    test: str


@dataclass(frozen=True)
class Attribute:
    kind: str  # coroutine_function, function, async_generator_function, class, module, value
    value: Value = None


@dataclass(frozen=True)
class ErrorInfo:
    """What the student's code raised, classified by its class in the executor."""

    kind: str  # not_implemented, system_exit, os_exit, keyboard_interrupt, syntax, ...
    type: str
    message: str
    where: Where | None = None
    code: Value = None  # sys.exit's code
    at: float = 0.0  # virtual seconds since the call began
    # The builtin classes it derives from, nearest first ("ConnectionError", "OSError", …):
    # a student's own subclass of ConnectionError is still a ConnectionError.
    builtin_bases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Loaded:
    seq: int
    file: str
    attributes: dict[str, Attribute] = field(default_factory=dict)
    error: ErrorInfo | None = None  # the module could not be imported
    tampered: tuple[str, ...] = ()


@dataclass(frozen=True)
class Printed:
    t: float
    text: str


@dataclass(frozen=True)
class Blocked:
    """A blocking call that held the loop up: a `time.sleep`, or a busy wait when `spinning`."""

    where: Where | None
    duration: float
    held: tuple[str, ...]
    at: float
    spinning: bool = False


@dataclass(frozen=True)
class Recorded:
    """One call of a spied or faked function, with absolute virtual times."""

    args: tuple[Value, ...]
    kwargs: dict[str, Value]
    start: float
    end: float | None


@dataclass(frozen=True)
class Put:
    t: float
    item: Value


@dataclass(frozen=True)
class Stuck:
    name: str
    where: Where | None


@dataclass(frozen=True)
class Observation:
    """What one Call did.

    `outcome` is `returned`, `raised`, `still_running`, `deadlock`,
    `time_budget`, `busy_loop` or `tampered`.
    """

    seq: int
    outcome: str
    value: Value = None
    error: ErrorInfo | None = None
    t0: float = 0.0
    elapsed: float = 0.0
    lines: tuple[Printed, ...] = ()
    output_truncated: bool = False
    pending: tuple[str, ...] = ()
    blocking: tuple[Blocked, ...] = ()
    calls: dict[str, tuple[Recorded, ...]] = field(default_factory=dict)
    queues: tuple[tuple[Put, ...], ...] = ()
    stuck: tuple[Stuck, ...] = ()
    budget: float = 0.0
    busy_at: Where | None = None
    tampered: tuple[str, ...] = ()


@dataclass(frozen=True)
class Diagnosed:
    kind: str
    file: str | None
    line: int | None
    message: str


@dataclass(frozen=True)
class Ended:
    seq: int
    diagnostics: tuple[Diagnosed, ...] = ()


# -- runner <-> judge ------------------------------------------------------------------------


@dataclass(frozen=True)
class JudgeTask:
    """What the runner asks of one judge: one exercise's tests on one copy."""

    target: str  # the copy's folder
    exercise: str  # the exercise's id, which is also its module's name
    results: str  # the file the judge appends sealed results records to
    key: str  # the key that seals them (never on a command line)
    time_limit: float  # real seconds per test
    suites: str  # the folder holding public/ and hidden/
    skip: tuple[str, ...] = ()  # test ids not to run (done, or judged, already)
    public_only: bool = False
    explanation: str = ""  # the module attribute to report, as the catalogue names it
    executors: str = ""  # socket of the copy's executor server; "" when there is none
    sandboxed: bool = False  # executors come from that server only, in its sandbox


@dataclass(frozen=True)
class TestStarted:
    test: str

    __test__ = False


@dataclass(frozen=True)
class TestOutcome:
    """What happened to one test, before the runner attaches its points."""

    test: str
    status: str  # a results.Status value, checked by the runner
    message: str
    duration: float  # real seconds
    virtual: float  # virtual seconds the test simulated
    cause: str = ""  # a results.Cause value, checked by the runner
    fault: str = ""  # the same for every test one fault made fail ("" when unknown)
    timeline: Timeline | None = None  # the test's last call, drawn under a failure

    __test__ = False


@dataclass(frozen=True)
class Explained:
    """The student's explanation (the module attribute the catalogue names)."""

    text: str


JUDGE_TASKS: dict[str, type] = {"JudgeTask": JudgeTask}
# Diagnosed is shared: the executor's pitfalls, passed on by the judge.
RESULTS: dict[str, type] = {c.__name__: c for c in (TestStarted, TestOutcome, Diagnosed, Explained)}

REQUESTS: dict[str, type] = {c.__name__: c for c in (Begin, Call, End)}
ANSWERS: dict[str, type] = {c.__name__: c for c in (Loaded, Observation, Ended)}
