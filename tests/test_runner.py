"""The runner's retry and assembly logic, with a fake judge: no process is started.

`runner.grade_exercise` starts judges (`_run_child`), reads their sealed
records and assembles one ExerciseResult. What it does when a judge stops
early, loses its server or writes what it should not is decided here, and
is tested here in milliseconds; `tests/test_engine.py` runs the same cases
through real judges and executors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from grader import protocol as p
from grader import runner
from grader.isolation.judges import JudgeServerLost
from grader.metadata import ExerciseSpec, load_catalogue
from grader.results import Status
from grader.sealed import seal

ENGINE = Path(__file__).parent / "engine"
EXERCISE: ExerciseSpec = load_catalogue(ENGINE / "catalogue.toml").exercises[0]
IDS = [t.id for t in EXERCISE.tests]  # travail, ensemble, double

# What one attempt of the fake judge does, given the tests it was asked to run:
# the records it writes (sealed with the right key unless said otherwise), then
# its exit code, or JudgeServerLost.
Attempt = Callable[[list[str]], tuple[list[Any], int | None] | type[JudgeServerLost]]


def passed(test: str) -> p.TestOutcome:
    return p.TestOutcome(test, Status.PASSED.value, "", 0.01, 1.0)


def failed(test: str, message: str = "a renvoyé 0 ; attendu 4") -> p.TestOutcome:
    return p.TestOutcome(test, Status.FAILED.value, message, 0.01, 1.0)


class FakeJudge:
    """Stands for `runner._run_child`: each call plays the next attempt."""

    def __init__(self, attempts: list[Attempt]) -> None:
        self.attempts = iter(attempts)
        self.asked: list[list[str]] = []

    def __call__(
        self,
        target: Path,
        exercise: ExerciseSpec,
        skip: set[str],
        workdir: Path,
        attempt: int,
        *_: Any,
    ) -> tuple[Path, str, int | None]:
        batch = [t for t in IDS if t not in skip]
        self.asked.append(batch)
        played = next(self.attempts)(batch)
        if played is JudgeServerLost:
            raise JudgeServerLost("le serveur des juges s'est arrêté")
        assert isinstance(played, tuple)
        records, code = played
        key = "k" * 64
        results = workdir / f"results-{attempt}.jsonl"
        lines = []
        for record in records:
            if isinstance(record, str):  # a line nobody sealed: forged, or cut by a kill
                lines.append(record)
            else:
                lines.append(seal(key, p.encode_line(record)))
        results.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        return results, key, code


@pytest.fixture
def judge(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    (tmp_path / "exo.py").write_text("# la copie\n", encoding="utf-8")

    def play(*attempts: Attempt) -> tuple[dict[str, Any], FakeJudge]:
        fake = FakeJudge(list(attempts))
        monkeypatch.setattr(runner, "_run_child", fake)
        result, _ = runner.grade_exercise(tmp_path, EXERCISE, suites=ENGINE / "suites")
        return {t.id: t for t in result.tests}, fake

    yield play


def test_every_test_reported_is_assembled_with_its_points(judge: Callable[..., Any]) -> None:
    tests, fake = judge(lambda batch: ([passed(t) for t in batch], 0))
    assert fake.asked == [IDS]
    assert all(t.status is Status.PASSED and t.score == t.max_score for t in tests.values())


def test_a_judge_stopped_mid_test_loses_that_test_only(judge: Callable[..., Any]) -> None:
    # The judge started `ensemble` and died (exit 1): that test is the
    # program's doing, and the tests after it run again in a new judge.
    tests, fake = judge(
        lambda batch: ([passed("travail"), p.TestStarted("travail"), p.TestStarted("ensemble")], 1),
        lambda batch: ([passed(t) for t in batch], 0),
    )
    assert fake.asked == [IDS, ["double"]]
    assert tests["ensemble"].status is Status.ERROR
    assert "code de sortie 1" in tests["ensemble"].message and tests["ensemble"].score == 0
    assert tests["travail"].status is tests["double"].status is Status.PASSED


def test_a_judge_killed_at_its_limit_is_a_timeout_of_that_test(judge: Callable[..., Any]) -> None:
    tests, _ = judge(
        lambda batch: ([p.TestStarted("travail")], None),
        lambda batch: ([failed(t) for t in batch], 0),
    )
    assert tests["travail"].status is Status.TIMEOUT
    assert "temps réel" in tests["travail"].message
    # A test stopped at its real-time limit took that long (JUnit says so).
    assert tests["travail"].duration == runner.DEFAULT_TIME_LIMIT
    assert tests["ensemble"].status is Status.FAILED


def test_a_lost_server_runs_the_tests_again_one_by_one(judge: Callable[..., Any]) -> None:
    # Once is bad luck (another copy killed the shared server); then each
    # test runs alone, and a test that loses it twice is named for it.
    def lost_on_double(batch: list[str]) -> Any:
        return JudgeServerLost if batch == ["double"] else ([passed(t) for t in batch], 0)

    tests, fake = judge(lambda batch: JudgeServerLost, *[lost_on_double] * 4)
    assert fake.asked == [IDS, ["travail"], ["ensemble"], ["double"], ["double"]]
    assert tests["travail"].status is tests["ensemble"].status is Status.PASSED
    assert tests["double"].status is Status.ERROR and tests["double"].score == 0
    assert "arrêté le processus du correcteur" in tests["double"].message


def test_lines_nobody_sealed_are_not_read(judge: Callable[..., Any]) -> None:
    forged = p.encode_line(passed("travail"))
    tests, _ = judge(
        lambda batch: ([f"{'0' * 64} {forged}", forged, failed("ensemble"), passed("double")], 0),
        lambda batch: ([failed(t) for t in batch], 0),
    )
    # The forged pass of `travail` counts for nothing: its test ran again, and failed.
    assert tests["travail"].status is Status.FAILED and tests["travail"].score == 0


def test_a_judge_that_runs_nothing_is_an_internal_error_not_a_loop(
    judge: Callable[..., Any],
) -> None:
    tests, fake = judge(lambda batch: ([], 0))
    assert fake.asked == [IDS]
    assert all(t.status is Status.ERROR and t.score == 0 for t in tests.values())
    assert all("n'a pas pu être lancé" in t.message for t in tests.values())
