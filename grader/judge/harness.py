"""What the exercise tests call to run the student's code and look at what it did.

A test reads as "run this, then assert on what happened":

    telecharger_tout = require(student, "telecharger_tout", coroutine=True)
    ex = run(telecharger_tout, durees, spies=["telecharger"])
    assert abs(ex.elapsed - max(durees.values())) < TOLERANCE, "…"

`student` (a fixture of `grader.judge.plugin`) is a handle on the module the
executor imported for this test: its functions are `Function` references,
its plain constants (`FICHIERS`, `SERVICES`, …) are copies of their values.
`run` sends one `protocol.Call` to the executor and turns the `Observation`
into an `Execution`, or raises: `StudentError` when the student's code
raised, a `Verdict` for a deadlock, a time budget, a busy loop, a real-time
stop, or an executor that cannot be believed.

The judge checks what it can of each observation (virtual time never goes
back, a faked call lasts at least its delay): a broken one is an
`ExecutorLost`, never a pass.

Long because it is the suites' one entry point: every suite imports what it
needs from here, and the checks that several exercises share (`same_lines`)
live here rather than in copies.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from grader import protocol as p
from grader.judge.explain import explain_error, tampering_error
from grader.judge.link import ExecutorLink
from grader.judge.verdicts import (
    BusyLoopError,
    DeadlockError,
    ExecutorLost,
    RealTimeout,
    StudentError,
    TimeBudgetError,
    Verdict,
)

__all__ = [
    "Blocked",
    "BusyLoopError",
    "DeadlockError",
    "Execution",
    "ExecutorLost",
    "Fake",
    "Function",
    "Line",
    "Opaque",
    "Put",
    "Queue",
    "RealTimeout",
    "Recorded",
    "StudentError",
    "StudentModule",
    "TimeBudgetError",
    "Verdict",
    "fmt_t",
    "line_diff",
    "norm",
    "require",
    "run",
    "same_lines",
    "show",
]

DEFAULT_BUDGET = 600.0

# Slack for rounding when the judge checks the executor's times.
_EPSILON = 1e-5

Line = p.Printed
Recorded = p.Recorded
Put = p.Put
Blocked = p.Blocked
Opaque = p.Opaque
Queue = p.QueueArg


def Fake(
    name: str,
    *,
    asynchronous: bool = True,
    rows: Mapping[Any, tuple[float, Any]] | Iterable[tuple[Any, float, Any]] = (),
    default_delay: float = 0.0,
    default_result: Any = None,
) -> p.FakeSpec:
    """A stand-in for the module's `name`: by first argument, how long it waits and what it returns.

    `rows` maps a first argument to `(delay, result)` (or lists
    `(argument, delay, result)` triples, for arguments that are lists).
    """
    if isinstance(rows, Mapping):
        table = tuple((key, float(d), r) for key, (d, r) in rows.items())
    else:
        table = tuple((key, float(d), r) for key, d, r in rows)
    return p.FakeSpec(name, asynchronous, table, float(default_delay), default_result)


# Virtual times are exact to the microsecond: a suite compares them within
# this, a 200th of a second, which leaves room only for rounding (a duration
# summed from floats), never for a wrong schedule.
TOLERANCE = 0.005


def fmt_t(t: float) -> str:
    return f"t={t:.2f} s"


def blocking_note(ex: Execution, consequence: str = "") -> str:
    """The run's first blocking call, the usual cause of a serialised schedule; "" without one.

    Appended to a failed timing assertion. `consequence` adds what the
    exercise's own tool cannot do meanwhile (", et wait_for ne peut pas
    l'interrompre").
    """
    if not ex.blocking:
        return ""
    appel = ex.blocking[0]
    ou = f" ({appel.where})" if appel.where else ""
    if appel.spinning:
        return (
            f". Attention : une attente active a occupé le processeur pendant "
            f"{appel.duration:.2f} s{ou} ; une boucle qui relit l'heure ou qui reprend la main "
            "avec asyncio.sleep(0) fait tourner le processeur à vide au lieu d'attendre un "
            "événement (voir « Les pièges classiques »)"
        )
    return (
        f". Attention : un appel bloquant a figé tout le programme pendant "
        f"{appel.duration:.2f} s{ou} ; dans une coroutine, time.sleep empêche les autres "
        f"tâches d'avancer{consequence} (voir « Les pièges classiques »)"
    )


def norm(text: str) -> str:
    """White space folded: the contract's strings are exact give or take the spaces."""
    return " ".join(text.split())


# How much of a printed line `line_diff` shows on each side of the first difference.
_DIFF_BEFORE = 30
_DIFF_AFTER = 40


def line_diff(printed: str, expected: str) -> str:
    """Two aligned lines, printed over expected, and a caret under the first difference.

    An extra space before « s » is invisible in two long quoted strings; a
    caret under it is not. Long lines are shown around the difference only.
    """
    at = next(
        (i for i, (a, b) in enumerate(zip(printed, expected, strict=False)) if a != b),
        min(len(printed), len(expected)),
    )
    start = max(0, at - _DIFF_BEFORE)

    def window(text: str) -> str:
        shown = text[start : at + _DIFF_AFTER]
        return ("…" if start else "") + shown + ("…" if len(text) > at + _DIFF_AFTER else "")

    caret = " " * (len("  affiché : « ") + (1 if start else 0) + at - start) + "^"
    return f"\n  affiché : « {window(printed)} »\n  attendu : « {window(expected)} »\n{caret}"


def same_lines(call: str, printed: list[str], expected: list[str]) -> None:
    """Assert that `call` printed exactly the lines of the statement's sample run.

    `printed` and `expected` are the lines as compared (usually `norm`-ed). The
    first missing or different line fails, with a caret under its first wrong
    character, then a line too many; the messages are the same in every suite
    that compares a whole printout with the statement's example.
    """
    for i, ligne in enumerate(expected):
        assert i < len(printed), (
            f"{call} n'a affiché que {len(printed)} ligne(s) ; la ligne {i + 1} attendue "
            f"est « {ligne} »"
        )
        assert printed[i] == ligne, (
            f"{call} : la ligne {i + 1} affichée n'est pas celle de l'exemple d'exécution de "
            f"l'énoncé{line_diff(printed[i], ligne)}"
        )
    assert len(printed) == len(expected), (
        f"{call} a affiché {len(printed)} lignes ; attendu {len(expected)} : la ligne en trop "
        f"est « {printed[len(expected)]} »"
    )


def show(value: Any, limit: int = 200) -> str:
    """A value the student's code produced, as a message can show it: short, no addresses."""
    if isinstance(value, Opaque):
        return value.describe()
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Function:
    """A function of the student's module, by name: what `run` calls."""

    module: StudentModule
    name: str
    kind: str

    @property
    def __name__(self) -> str:
        return self.name


class StudentModule:
    """The student's module as the judge knows it: names, kinds, plain values."""

    def __init__(self, link: ExecutorLink, loaded: p.Loaded, random_seed: str = "") -> None:
        self._link = link
        self._loaded = loaded
        self._seed = random_seed

    @property
    def random_seed(self) -> str:
        """What the executor seeded `random` with before this import (`random.seed(…)`)."""
        return self._seed

    @property
    def link(self) -> ExecutorLink:
        return self._link

    @property
    def file(self) -> str:
        return self._loaded.file

    def kind(self, name: str) -> str | None:
        attribute = self._loaded.attributes.get(name)
        return attribute.kind if attribute is not None else None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        attribute = self._loaded.attributes.get(name)
        if attribute is None:
            raise AttributeError(f"{self._loaded.file} n'a pas d'attribut {name}")
        if attribute.kind == "value":
            # A copy: a test that changes it changes nothing in the student's module.
            return copy.deepcopy(attribute.value)
        return Function(self, name, attribute.kind)

    def __repr__(self) -> str:
        return f"<module {self._loaded.file}>"


def require(module: StudentModule, name: str, *, coroutine: bool) -> Function:
    """The student's function `name`, or a French StudentError saying what is wrong with it."""
    kind = module.kind(name)
    file = module.file or "le module"
    if kind is None:
        raise StudentError(f"la fonction {name} est introuvable dans {file}")
    if kind not in ("coroutine_function", "function", "async_generator_function"):
        raise StudentError(f"{name} dans {file} n'est pas une fonction")
    is_coro = kind == "coroutine_function"
    if coroutine and not is_coro:
        raise StudentError(f"{name} doit être une coroutine : définissez-la avec « async def »")
    if not coroutine and is_coro:
        raise StudentError(f"{name} doit être une fonction ordinaire (« def », sans « async »)")
    return Function(module, name, kind)


@dataclass
class Execution:
    """What one call of the student's code did."""

    value: Any
    elapsed: float
    t0: float
    lines: list[p.Printed]
    pending: list[str]
    blocking: list[p.Blocked]
    output_truncated: bool = False
    calls: dict[str, list[p.Recorded]] = field(default_factory=dict)
    queues: list[list[p.Put]] = field(default_factory=list)
    still_running: bool = False
    # The stand-ins the call ran with: what each fake returns for each input
    # (a timeline's "chaines" schedule links a call to the one it follows).
    fakes: tuple[p.FakeSpec, ...] = ()

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    def first(self, prefix: str) -> p.Printed | None:
        """The first line starting with `prefix` (white space ignored at both ends)."""
        return next((ln for ln in self.lines if ln.text.strip().startswith(prefix)), None)

    def calls_of(self, name: str) -> list[p.Recorded]:
        return self.calls.get(name, [])

    def blocked_by(self, name: str) -> list[p.Blocked]:
        """The `time.sleep`s on the loop's thread that a call of `name` made.

        Matched by time: a blocking sleep that starts when an ended call of
        `name` starts and lasts as long (`name` spied or faked, blocking).
        """
        calls = [c for c in self.calls_of(name) if c.end is not None]
        return [
            b
            for b in self.blocking
            if not b.spinning
            and any(
                abs(b.at - c.start) < 1e-4 and abs(b.duration - (c.end - c.start)) < 1e-4
                for c in calls
                if c.end is not None
            )
        ]


def _call_text(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    parts = [show(a, 120) for a in args] + [f"{k}={show(v, 120)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def run(
    fn: Function,
    *args: Any,
    spies: Iterable[str] = (),
    fakes: Iterable[p.FakeSpec] = (),
    patch: Mapping[str, Any] | None = None,
    limit: float | None = None,
    budget: float = DEFAULT_BUDGET,
    **kwargs: Any,
) -> Execution:
    """Call the student's `fn` on the virtual clock; run the coroutine it returns, if any.

    `Queue()` among the arguments stands for a fresh recording asyncio.Queue.
    Raises StudentError when the student's code raises, and the clock's
    verdicts (deadlock, time budget, busy loop) for the plugin to word.
    """
    if not isinstance(fn, Function):
        raise TypeError("run() attend une fonction du module de l'élève (require)")
    link = fn.module.link
    queues = tuple((i, a) for i, a in enumerate(args) if isinstance(a, p.QueueArg))
    plain_args = tuple(a for a in args if not isinstance(a, p.QueueArg))
    fake_specs = tuple(fakes)
    request = p.Call(
        seq=link.next_seq(),
        function=fn.name,
        args=plain_args,
        kwargs=dict(kwargs),
        spies=tuple(spies),
        fakes=fake_specs,
        patch=dict(patch or {}),
        queues=queues,
        limit=limit,
        budget=budget,
    )
    obs: p.Observation = link.ask(request, p.Observation)
    _check_time(obs, fake_specs)
    link.virtual = max(link.virtual, obs.t0 + obs.elapsed)
    call = _call_text(
        fn.name, tuple("queue" if isinstance(a, p.QueueArg) else a for a in args), kwargs
    )
    if obs.outcome in ("returned", "still_running"):
        execution = Execution(
            value=obs.value,
            elapsed=obs.elapsed,
            t0=obs.t0,
            lines=list(obs.lines),
            pending=list(obs.pending),
            blocking=list(obs.blocking),
            output_truncated=obs.output_truncated,
            calls={name: list(records) for name, records in obs.calls.items()},
            queues=[list(q) for q in obs.queues],
            still_running=obs.outcome == "still_running",
            fakes=fake_specs,
        )
        link.last_run = (call, execution)
        return execution
    if obs.outcome == "raised" and obs.error is not None:
        raise explain_error(call, obs.error)
    if obs.outcome == "deadlock":
        raise DeadlockError(obs.stuck)
    if obs.outcome == "time_budget":
        raise TimeBudgetError(obs.budget, obs.blocking)
    if obs.outcome == "busy_loop":
        raise BusyLoopError(obs.busy_at)
    if obs.outcome == "tampered":
        raise tampering_error(list(obs.tampered), call)
    raise ExecutorLost(f"le correcteur n'a pas pu exécuter {call} (réponse « {obs.outcome[:40]} »)")


def _check_time(obs: p.Observation, fakes: tuple[p.FakeSpec, ...]) -> None:
    """Virtual time never goes back, and a fake lasts at least its delay."""
    problems = obs.elapsed < 0 or obs.t0 < 0
    last = 0.0
    for line in obs.lines:
        problems = problems or line.t < last - _EPSILON
        last = max(last, line.t)
    delays = {f.name: f for f in fakes}
    for name, records in obs.calls.items():
        for r in records:
            if r.end is not None and r.end < r.start - _EPSILON:
                problems = True
            spec = delays.get(name)
            if spec is not None and r.end is not None:
                key = p.decode_value(p.encode_value(r.args[0])) if r.args else None
                delay = next(
                    (d for k, d, _ in spec.rows if r.args and _same(key, k)), spec.default_delay
                )
                problems = problems or r.end - r.start < delay - _EPSILON
    for b in obs.blocking:
        problems = problems or b.duration < 0
    if problems:
        raise ExecutorLost(
            "les temps rapportés par le programme sont impossibles (le temps virtuel recule, "
            "ou une attente a duré moins que prévu) : l'horloge du correcteur a été "
            "manipulée ; ce test ne peut pas être noté"
        )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
