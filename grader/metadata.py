"""The exercise catalogue, read from `exercises.toml` (the one place that names tests)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

CATALOGUE = Path(__file__).with_name("exercises.toml")
SUITES = Path(__file__).with_name("suites")


@dataclass(frozen=True)
class TestSpec:
    id: str
    title: str
    points: float
    hidden: bool
    hint: str

    __test__ = False


@dataclass(frozen=True)
class TimelineSpec:
    """The call `nox -s timeline` draws for an exercise: the statement's own example."""

    call: str  # the coroutine function called without arguments (its defaults)
    spies: tuple[str, ...]  # the module's functions drawn as rows


@dataclass(frozen=True)
class ExerciseSpec:
    id: str
    title: str
    tests: tuple[TestSpec, ...]
    # Name of a module-level string shown to the instructor, if the exercise has one.
    explanation: str | None = None
    timeline: TimelineSpec | None = None

    @property
    def max_score(self) -> float:
        return float(sum(t.points for t in self.tests))

    def suite_file(self, hidden: bool, suites: Path = SUITES) -> Path:
        return suites / ("hidden" if hidden else "public") / f"test_{self.id}.py"


@dataclass(frozen=True)
class AssignmentSpec:
    """Exercises graded together, out of the sum of their points (a Classroom assignment)."""

    id: str
    title: str
    exercises: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    exercises: tuple[ExerciseSpec, ...]
    # The first is the default: what `python -m grader` grades without
    # `--assignment` or `--only`. A catalogue without any is one assignment
    # of all its exercises.
    assignments: tuple[AssignmentSpec, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.exercises)

    @property
    def default(self) -> AssignmentSpec:
        if self.assignments:
            return self.assignments[0]
        return AssignmentSpec("", "", self.ids)

    def assignment(self, assignment_id: str) -> AssignmentSpec:
        for assignment in self.assignments:
            if assignment.id == assignment_id:
                return assignment
        raise KeyError(assignment_id)

    def get(self, exercise_id: str) -> ExerciseSpec:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        raise KeyError(exercise_id)


def load_catalogue(path: Path = CATALOGUE) -> Catalogue:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    exercises = []
    for raw in data.get("exercise", []):
        tests = tuple(
            TestSpec(
                id=str(t["id"]),
                title=str(t["title"]),
                points=float(t["points"]),
                hidden=bool(t.get("hidden", False)),
                hint=str(t.get("hint", "")),
            )
            for t in raw.get("test", [])
        )
        explanation = raw.get("explanation")
        timeline = raw.get("timeline")
        exercises.append(
            ExerciseSpec(
                id=str(raw["id"]),
                title=str(raw["title"]),
                tests=tests,
                explanation=str(explanation) if explanation else None,
                timeline=(
                    TimelineSpec(str(timeline["call"]), tuple(map(str, timeline["spies"])))
                    if timeline
                    else None
                ),
            )
        )
    assignments = tuple(
        AssignmentSpec(str(raw["id"]), str(raw["title"]), tuple(map(str, raw["exercises"])))
        for raw in data.get("assignment", [])
    )
    return Catalogue(tuple(exercises), assignments)
