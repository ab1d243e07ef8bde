"""What crosses between processes: typed records, plain values, framed bytes.

The judge (trusted: suites, catalogue, results) never imports the student's
module; the executor (untrusted: it runs the student's code) never receives a
test's code or an expected value. They talk only through the dataclasses
below, sent as length-prefixed JSON frames over a pair of pipes. The runner
and the judge talk through them too: the runner's `JudgeTask`, and the
judge's results records (`TestStarted`, `TestOutcome`, `Diagnosed`,
`Explained`), one sealed JSON line each (`grader.sealed`).

Why so strict: every byte the executor sends may have been written by the
student's code (it runs in that process and can reach the pipe). So the
judge's side of the codec trusts nothing:

- a frame longer than `MAX_FRAME` bytes, not UTF-8, not JSON, carrying `NaN`
  or an unknown tag, or whose fields do not have exactly the declared types
  raises `ProtocolError`; the judge turns that into an `error` for the test,
  never into a crash and never into a point;
- values travel as exact builtin types only (`None`, `bool`, `int`, `float`,
  `str`, `list`, `tuple`, `dict` with plain keys), bounded in depth and size.
  Anything else, a subclass included, arrives as an `Opaque` that equals
  nothing and says what it was: an object whose `__eq__` lies cannot get
  through, because its `__eq__` never leaves the executor.
"""

from __future__ import annotations

import json
import math
import struct
import types
import typing
from collections import Counter, OrderedDict, defaultdict
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any, Protocol, Union, get_args, get_origin

from grader.results import Timeline

# The largest frame either side accepts, in bytes. An observation of the
# biggest honest run (every line printed, every call spied) is a few hundred
# kilobytes; past this, the sender is flooding.
MAX_FRAME = 4 * 1024 * 1024

# Limits on one value: how deep it nests, how many items it holds, how many
# characters its strings hold in all. Past them, the rest is cut into an Opaque.
MAX_DEPTH = 24
MAX_ITEMS = 20_000
MAX_CHARS = 400_000
# How much of a repr an Opaque keeps.
MAX_REPR = 200
# Integers larger than this many digits are not data an exercise returns.
MAX_INT_DIGITS = 200

_HEADER = struct.Struct(">I")

# Bound once, when the executor imports this module, before any student code:
# a student who rebinds json.dumps changes nothing here.
_dumps = json.dumps
_loads = json.loads


class ProtocolError(Exception):
    """A frame the judge cannot accept: malformed, oversized, or not what was asked."""


# -- values --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opaque:
    """A value the executor could not send as plain data: its type and a cut repr.

    It compares unequal to everything, itself included, and is no number, no
    container and no text, so a check on it fails instead of being fooled.
    """

    type: str
    repr: str
    coroutine: str = ""  # the coroutine's qualified name, when it is a coroutine object

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return hash((self.type, self.repr))

    def __bool__(self) -> bool:
        return False

    def describe(self) -> str:
        """French words for it, in a message to the student."""
        if self.coroutine:
            return f"un objet coroutine ({self.coroutine} appelée sans await)"
        return f"une valeur de type {self.type} ({self.repr})"

    def __str__(self) -> str:
        return self.describe()

    # A message that shows the value with !r says what it was, in French.
    __repr__ = __str__


# Stdlib mappings the executor may send as plain dicts: their iteration runs
# no student code (their keys and values are checked one by one).
_PLAIN_MAPPINGS = (dict, OrderedDict, defaultdict, Counter)


def _qualname(cls: type) -> str:
    # Read through `type` itself: a metaclass of the student's could lie.
    try:
        name = type.__dict__["__qualname__"].__get__(cls)
        module = type.__dict__["__module__"].__get__(cls)
    except Exception:
        return "?"
    name = name if type(name) is str else "?"
    return name if module in ("builtins", None) or type(module) is not str else f"{module}.{name}"


def _safe_repr(value: Any) -> str:
    try:
        text = repr(value)
    except BaseException:  # a __repr__ that raises anything, even a verdict
        return "repr impossible"
    if type(text) is not str:
        return "repr impossible"
    text = text if len(text) <= MAX_REPR else text[: MAX_REPR - 1] + "…"
    return text


def opaque_of(value: Any) -> Opaque:
    """The Opaque standing for `value` (run in the executor, on the student's object)."""
    cls = type(value)
    coroutine = ""
    if isinstance(value, types.CoroutineType):
        coroutine = str(value.__qualname__)
    return Opaque(_qualname(cls), _safe_repr(value), coroutine)


class _Budget:
    def __init__(self) -> None:
        self.items = 0
        self.chars = 0


def encode_value(value: Any) -> Any:
    """A value as JSON-ready data (executor side): exact builtin types, the rest opaque."""
    return _encode(value, 0, _Budget())


def _encode(value: Any, depth: int, budget: _Budget) -> Any:
    budget.items += 1
    if budget.items > MAX_ITEMS or depth > MAX_DEPTH:
        return {"$": "opaque", "type": "?", "repr": "valeur trop grande", "coroutine": ""}
    cls = type(value)
    if value is None or cls is bool:
        return value
    if cls is Opaque:
        return {"$": "opaque", "type": value.type, "repr": value.repr, "coroutine": value.coroutine}
    if cls is int:
        if abs(value) >= 10**MAX_INT_DIGITS:
            return {"$": "opaque", "type": "int", "repr": "entier trop grand", "coroutine": ""}
        return value
    if cls is float:
        if math.isfinite(value):
            return value
        return {"$": "float", "v": repr(value)}
    if cls is str:
        budget.chars += len(value)
        if budget.chars > MAX_CHARS:
            return {"$": "opaque", "type": "str", "repr": "texte trop long", "coroutine": ""}
        return value
    if cls is list:
        return [_encode(v, depth + 1, budget) for v in list.__iter__(value)]
    if cls is tuple:
        return {"$": "tuple", "v": [_encode(v, depth + 1, budget) for v in tuple.__iter__(value)]}
    if cls in _PLAIN_MAPPINGS:
        pairs = []
        for k, v in dict.items(value):
            key = _encode(k, depth + 1, budget)
            if not _plain_key(key):
                return _opaque_wire(value)
            pairs.append([key, _encode(v, depth + 1, budget)])
        return {"$": "dict", "v": pairs}
    return _opaque_wire(value)


def _opaque_wire(value: Any) -> dict[str, Any]:
    o = opaque_of(value)
    return {"$": "opaque", "type": o.type, "repr": o.repr, "coroutine": o.coroutine}


def _plain_key(key: Any) -> bool:
    if key is None or type(key) in (bool, int, float, str):
        return True
    return isinstance(key, dict) and key.get("$") in ("tuple", "float")


def decode_value(data: Any, depth: int = 0) -> Any:
    """The value the executor sent (judge side); ProtocolError for anything malformed."""
    if depth > MAX_DEPTH + 2:
        raise ProtocolError("valeur trop profonde")
    if data is None or type(data) in (bool, int, str):
        return data
    if type(data) is float:
        if not math.isfinite(data):
            raise ProtocolError("nombre non fini hors balise")
        return data
    if type(data) is list:
        return [decode_value(v, depth + 1) for v in data]
    if type(data) is dict:
        tag = data.get("$")
        if tag == "tuple" and type(data.get("v")) is list and len(data) == 2:
            return tuple(decode_value(v, depth + 1) for v in data["v"])
        if tag == "float" and data.get("v") in ("nan", "inf", "-inf") and len(data) == 2:
            return float(data["v"])
        if tag == "dict" and type(data.get("v")) is list and len(data) == 2:
            out: dict[Any, Any] = {}
            for pair in data["v"]:
                if type(pair) is not list or len(pair) != 2:
                    raise ProtocolError("paire de dictionnaire mal formée")
                key = decode_value(pair[0], depth + 1)
                try:
                    hash(key)
                except TypeError:
                    raise ProtocolError("clé de dictionnaire non hachable") from None
                out[key] = decode_value(pair[1], depth + 1)
            return out
        if tag == "opaque" and set(data) == {"$", "type", "repr", "coroutine"}:
            parts = (data["type"], data["repr"], data["coroutine"])
            if all(type(p) is str and len(p) <= 4 * MAX_REPR for p in parts):
                return Opaque(*parts)
        raise ProtocolError(f"valeur de forme inconnue ({str(tag)[:40]})")
    raise ProtocolError("valeur de type inconnu")


# The annotation the records use for a value that travels through the codec above.
Value = Any


# -- records ---------------------------------------------------------------------------------


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
_RECORDS: dict[str, type] = {
    c.__name__: c
    for c in (
        Where,
        FakeSpec,
        QueueArg,
        Attribute,
        ErrorInfo,
        Printed,
        Blocked,
        Recorded,
        Put,
        Stuck,
        Diagnosed,
    )
}


# -- records <-> JSON ------------------------------------------------------------------------


def to_wire(record: Any) -> Any:
    """A record as JSON-ready data, values encoded; used on both sides."""
    hints = _hints(type(record))
    return {
        "@": type(record).__name__,
        **{f.name: _to_wire(getattr(record, f.name), hints[f.name]) for f in fields(record)},
    }


def _to_wire(obj: Any, hint: Any) -> Any:
    # A value slot first: an Opaque (or a student's dataclass) there is a value, not a record.
    if hint is Any:
        return encode_value(obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        return to_wire(obj)
    origin = get_origin(hint)
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return [_to_wire(v, args[0]) for v in obj]
        return [_to_wire(v, a) for v, a in zip(obj, args, strict=True)]
    if origin is dict:
        return {str(k): _to_wire(v, get_args(hint)[1]) for k, v in obj.items()}
    if origin in (Union, types.UnionType):
        if obj is None:
            return None
        inner = [a for a in get_args(hint) if a is not type(None)]
        return _to_wire(obj, inner[0])
    return obj


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    # Resolved once per class; the cache only ever holds the classes above.
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def from_wire(data: Any, allowed: dict[str, type]) -> Any:
    """The record `data` stands for, checked field by field; ProtocolError otherwise."""
    if type(data) is not dict or type(data.get("@")) is not str:
        raise ProtocolError("message sans type")
    cls = allowed.get(data["@"])
    if cls is None:
        raise ProtocolError(f"message de type inattendu ({data['@'][:40]})")
    return _record(data, cls)


def _record(data: Any, cls: type) -> Any:
    if type(data) is not dict or data.get("@") != cls.__name__:
        raise ProtocolError(f"attendu un {cls.__name__}")
    hints = _hints(cls)
    names = {f.name for f in fields(cls)}
    if set(data) - names - {"@"}:
        raise ProtocolError(f"champ inconnu dans {cls.__name__}")
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            if f.default is MISSING and f.default_factory is MISSING:
                raise ProtocolError(f"champ {f.name} manquant dans {cls.__name__}")
            continue
        values[f.name] = _check(data[f.name], hints[f.name], f"{cls.__name__}.{f.name}")
    return cls(**values)


def _check(data: Any, hint: Any, where: str) -> Any:
    if hint is Any:
        return decode_value(data)
    if hint in (str, int, bool):
        if type(data) is not hint:
            raise ProtocolError(f"{where} : type inattendu")
        return data
    if hint is float:
        if type(data) not in (int, float) or not math.isfinite(data):
            raise ProtocolError(f"{where} : nombre attendu")
        return float(data)
    if hint is type(None):
        if data is not None:
            raise ProtocolError(f"{where} : None attendu")
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = get_args(hint)
        if data is None and type(None) in options:
            return None
        inner = [a for a in options if a is not type(None)]
        return _check(data, inner[0], where)
    if origin is tuple:
        args = get_args(hint)
        if type(data) is not list:
            raise ProtocolError(f"{where} : liste attendue")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_check(v, args[0], where) for v in data)
        if len(data) != len(args):
            raise ProtocolError(f"{where} : longueur inattendue")
        return tuple(_check(v, a, where) for v, a in zip(data, args, strict=True))
    if origin is dict:
        if type(data) is not dict:
            raise ProtocolError(f"{where} : dictionnaire attendu")
        value_hint = get_args(hint)[1]
        return {str(k): _check(v, value_hint, where) for k, v in data.items()}
    if isinstance(hint, type) and is_dataclass(hint):
        return _record(data, hint)
    raise ProtocolError(f"{where} : forme non prise en charge")  # pragma: no cover


# -- frames ------------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ProtocolError(f"constante JSON refusée ({name})")


def encode_frame(record: Any) -> bytes:
    body = _dumps(to_wire(record), ensure_ascii=False, allow_nan=False).encode("utf-8")
    if len(body) > MAX_FRAME:
        raise ProtocolError("message trop long")
    return _HEADER.pack(len(body)) + body


def decode_body(body: bytes, allowed: dict[str, type]) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("message qui n'est pas de l'UTF-8") from None
    try:
        data = _loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise ProtocolError("message qui n'est pas du JSON") from None
    return from_wire(data, allowed)


def encode_line(record: Any) -> str:
    """One record as one line of JSON (the results file, the judge's task)."""
    return str(_dumps(to_wire(record), ensure_ascii=False, allow_nan=False))


def decode_line(line: str, allowed: dict[str, type]) -> Any:
    """The record of one line, checked as strictly as a frame; ProtocolError otherwise."""
    return decode_body(line.encode("utf-8"), allowed)


def frame_length(header: bytes) -> int:
    (length,) = _HEADER.unpack(header)
    if length > MAX_FRAME:
        raise ProtocolError("message trop long")
    return int(length)


HEADER_SIZE = _HEADER.size


class Readable(Protocol):
    def read(self, n: int, /) -> bytes: ...


def read_frame(stream: Readable, allowed: dict[str, type]) -> Any:
    """Blocking read of one frame (the executor's side: the judge is trusted)."""
    header = stream.read(HEADER_SIZE)
    if len(header) < HEADER_SIZE:
        raise EOFError
    body = stream.read(frame_length(header))
    return decode_body(body, allowed)
