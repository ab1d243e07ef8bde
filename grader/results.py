"""What a grade is made of: small immutable records shared by every report.

The runner builds `TestResult` and `Diagnostic` records from the judge's
protocol records (themselves made from pytest's hook objects) and assembles
them into an `ExerciseResult` per exercise and a `Report` for the run. Every output format
(terminal, JSON, Classroom, Gradescope, JUnit, CSV) reads only these records, so
a format can never see, and never leak, anything the student printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# ANSI escape sequences, then every other control character but the newline
# and the tab: text the student's code produced must not drive a terminal.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.)?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """Text fit for every report: no escape sequences, no control characters."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


class Status(StrEnum):
    """Outcome of one test, as the contract names it."""

    PASSED = "passed"
    FAILED = "failed"  # the check ran and the behaviour was wrong
    ERROR = "error"  # the student's code raised, deadlocked or could not be loaded
    TIMEOUT = "timeout"  # ran past its real-time limit (an endless loop)


class Cause(StrEnum):
    """Why a test failed, when that cause makes the test's own hint beside the point.

    The terminal report groups the tests one cause cost and shows no hint
    under a module that does not import or a function still to write.
    """

    OTHER = ""  # the test's own check, or anything the student's code did
    UNWRITTEN = "unwritten"  # a function still raises the stub's NotImplementedError
    IMPORT = "import"  # the module could not be imported

    @classmethod
    def read(cls, value: str) -> Cause:
        """The cause a record names; one the runner does not know is OTHER."""
        try:
            return cls(value)
        except ValueError:
            return cls.OTHER


@dataclass(frozen=True)
class Diagnostic:
    """A pitfall seen while the student's code ran: it explains, it never costs points."""

    kind: str  # "blocking-call", "deadlock", "never-awaited", …
    file: str | None  # the student's file name (not a full path), when known
    line: int | None
    message: str  # French, says what happened and why it matters

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "file": self.file, "line": self.line, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Diagnostic:
        return cls(
            kind=str(data["kind"]),
            file=data.get("file"),
            line=data.get("line"),
            message=str(data["message"]),
        )


@dataclass(frozen=True)
class Span:
    """One row of a timeline: a call the test watched, from its start to its end."""

    label: str  # as the student's code made it: `telecharger('a.zip', 2.0)`
    start: float  # virtual seconds since the student's function was called
    end: float | None  # None: still running when that function returned


@dataclass(frozen=True)
class Timeline:
    """What one call of the student's code did on the virtual clock, drawn under a failed test.

    Built by the judge from the test's last call (`grader.judge.timeline`);
    drawn by the terminal, HTML, Gradescope and Classroom reports and by the
    class page; the contract's JSON does not hold it.
    """

    call: str  # what the test called: `telecharger_tout({'a.zip': 2.0, …})`
    elapsed: float  # virtual seconds until it returned
    spans: tuple[Span, ...] = ()
    printed: tuple[float, ...] = ()  # when each line was printed
    blocked: tuple[tuple[float, float], ...] = ()  # (start, seconds) of each blocking call
    more: int = 0  # spans left out, past the ones a report can show
    # Where each drawn call was expected, in the order of `spans` (same
    # labels, same lengths), when the test says how the calls should run
    # (`schedule`: SCHEDULES' keys); empty otherwise.
    expected: tuple[Span, ...] = ()
    schedule: str = ""


# How a timing test may say its watched calls should run, and the words for it.
SCHEDULES = {
    "ensemble": "tous en même temps",
    "a_la_suite": "l'un après l'autre",
    "chaines": "chaque étape dès la fin de la précédente",
}


@dataclass(frozen=True)
class TestResult:
    """One graded test: points are earned only with status PASSED."""

    id: str
    title: str
    hidden: bool
    status: Status
    score: float
    max_score: float
    message: str = ""
    hint: str = ""
    duration: float = 0.0  # real seconds; never part of a verdict
    # None of these is in the contract's JSON: they shape the terminal report.
    cause: Cause = Cause.OTHER
    fault: str = ""  # shared by the tests one fault made fail; "" when unknown
    timeline: Timeline | None = None  # what the test's last call did, when it failed

    __test__ = False  # not a pytest test class, despite the name

    def __post_init__(self) -> None:
        # The one place this is checked: every format shows `score` as it is.
        if self.status is not Status.PASSED and self.score != 0:
            raise ValueError(f"test {self.id!r} not passed but scored {self.score}")

    def to_dict(self) -> dict[str, Any]:
        """The contract's keys, in the contract's order."""
        return {
            "id": self.id,
            "title": self.title,
            "hidden": self.hidden,
            "status": self.status.value,
            "score": self.score,
            "max_score": self.max_score,
            "message": self.message,
        }


@dataclass(frozen=True)
class ExerciseResult:
    id: str
    title: str
    tests: tuple[TestResult, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    # Free text the student writes for the instructor (ex1's EXPLICATION); not scored.
    explanation: str | None = None
    # Set when the exercise could not be graded at all (module missing, …).
    problem: str | None = None

    @property
    def score(self) -> float:
        # A plain sum: a test's points count only when it passed.
        return float(sum(t.score for t in self.tests if t.status is Status.PASSED))

    @property
    def max_score(self) -> float:
        return float(sum(t.max_score for t in self.tests))

    @property
    def not_started(self) -> bool:
        """Every test failed on a function still to write: the stub as it was handed out."""
        return (
            not self.problem
            and bool(self.tests)
            and all(t.cause is Cause.UNWRITTEN for t in self.tests)
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "score": self.score,
            "max_score": self.max_score,
            "tests": [t.to_dict() for t in self.tests],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }
        if self.explanation is not None:
            data["explanation"] = self.explanation
        return data


@dataclass(frozen=True)
class Report:
    exercises: tuple[ExerciseResult, ...]
    # True when the hidden tests were not available (the students' template):
    # the score is then only the public part of the grade.
    public_only: bool = False
    target: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return float(sum(e.score for e in self.exercises))

    @property
    def max_score(self) -> float:
        return float(sum(e.max_score for e in self.exercises))

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [e.to_dict() for e in self.exercises],
        }
