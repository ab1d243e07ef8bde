"""Values between judge and executor: exact builtin types, the rest an `Opaque` that equals nothing.

Why this is the whole defence against a lying `__eq__` is told in the
package's docstring (grader/protocol/__init__.py).
"""

from __future__ import annotations

import math
import types
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass
from typing import Any

# Limits on one value: how deep it nests, how many items it holds, how many
# characters its strings hold in all. Past them, the rest is cut into an Opaque.
MAX_DEPTH = 24
MAX_ITEMS = 20_000
MAX_CHARS = 400_000
# How much of a repr an Opaque keeps.
MAX_REPR = 200
# Integers larger than this many digits are not data an exercise returns.
MAX_INT_DIGITS = 200


class ProtocolError(Exception):
    """A frame the judge cannot accept: malformed, oversized, or not what was asked."""


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
