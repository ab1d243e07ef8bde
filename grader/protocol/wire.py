"""Records as JSON and as length-prefixed frames, checked field by field on the way in.

Also the class's rows a shard of a class's grading hands to the merge
(`grader.tools.shards`): the same records, the same checks.
"""

from __future__ import annotations

import functools
import json
import math
import struct
import types
import typing
from collections import abc
from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass
from enum import Enum
from typing import Any, Protocol, Union, get_args, get_origin

from grader.protocol.values import ProtocolError, decode_value, encode_value

# The largest frame either side accepts, in bytes. An observation of the
# biggest honest run (every line printed, every call spied) is a few hundred
# kilobytes; past this, the sender is flooding.
MAX_FRAME = 4 * 1024 * 1024

_HEADER = struct.Struct(">I")

# Bound once, when the executor imports this module, before any student code:
# a student who rebinds json.dumps changes nothing here.
_dumps = json.dumps
_loads = json.loads


# Each record class and each field's type is turned once into a function
# that encodes or checks it (`functools.cache`): a frame is read or written
# around every call of the student's code, so walking the type hints anew
# for every value was a tenth of what a grade cost.

Encode = Callable[[Any], Any]
Check = Callable[[Any, str], Any]

# Exact types that stand for themselves on the wire (never an Enum or a dataclass).
_PLAIN = frozenset({str, int, float, bool, type(None)})


def to_wire(record: Any) -> Any:
    """A record as JSON-ready data, values encoded; used on both sides."""
    cls: type = type(record)
    return _record_encoder(cls)(record)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    # Resolved once per class; only the records' classes ever reach here.
    return typing.get_type_hints(cls)


@functools.cache
def _record_encoder(cls: type) -> Encode:
    hints = _hints(cls)
    parts = [(f.name, _encoder(hints[f.name])) for f in fields(cls)]
    name = cls.__name__

    def encode(record: Any) -> Any:
        out: dict[str, Any] = {"@": name}
        for field_name, encode_field in parts:
            out[field_name] = encode_field(getattr(record, field_name))
        return out

    return encode


@functools.cache
def _encoder(hint: Any) -> Encode:
    # A value slot first: an Opaque (or a student's dataclass) there is a value, not a record.
    if hint is Any:
        return encode_value
    shape = _shape_encoder(hint)

    def encode(obj: Any) -> Any:
        kind = type(obj)
        if kind in _PLAIN:
            return shape(obj)
        if not isinstance(obj, type) and hasattr(kind, "__dataclass_fields__"):
            return to_wire(obj)
        if isinstance(obj, Enum):
            return obj.value
        return shape(obj)

    return encode


def _shape_encoder(hint: Any) -> Encode:
    """How a value of the hint's shape (not a record, not an Enum) is encoded."""
    origin = get_origin(hint)
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _encoder(args[0])
            return lambda obj: [item(v) for v in obj]
        items = [_encoder(a) for a in args]
        return lambda obj: [e(v) for v, e in zip(obj, items, strict=True)]
    if origin in (dict, abc.Mapping):
        value = _encoder(get_args(hint)[1])
        return lambda obj: {str(k): value(v) for k, v in obj.items()}
    if origin in (Union, types.UnionType):
        inner = _encoder(next(a for a in get_args(hint) if a is not type(None)))
        return lambda obj: None if obj is None else inner(obj)
    return _same


def _same(obj: Any) -> Any:
    return obj


def from_wire(data: Any, allowed: dict[str, type]) -> Any:
    """The record `data` stands for, checked field by field; ProtocolError otherwise."""
    if type(data) is not dict or type(data.get("@")) is not str:
        raise ProtocolError("message sans type")
    cls = allowed.get(data["@"])
    if cls is None:
        raise ProtocolError(f"message de type inattendu ({data['@'][:40]})")
    return _record_checker(cls)(data)


@functools.cache
def _record_checker(cls: type) -> Callable[[Any], Any]:
    hints = _hints(cls)
    name = cls.__name__
    known = frozenset(f.name for f in fields(cls)) | {"@"}
    parts = [
        (
            f.name,
            _checker(hints[f.name]),
            f"{name}.{f.name}",
            f.default is MISSING and f.default_factory is MISSING,
        )
        for f in fields(cls)
    ]

    def check(data: Any) -> Any:
        if type(data) is not dict or data.get("@") != name:
            raise ProtocolError(f"attendu un {name}")
        if not known.issuperset(data):
            raise ProtocolError(f"champ inconnu dans {name}")
        values: dict[str, Any] = {}
        for field_name, check_field, where, required in parts:
            if field_name not in data:
                if required:
                    raise ProtocolError(f"champ {field_name} manquant dans {name}")
                continue
            values[field_name] = check_field(data[field_name], where)
        return cls(**values)

    return check


@functools.cache
def _checker(hint: Any) -> Check:
    if hint is Any:
        return lambda data, where: decode_value(data)
    if hint in (str, int, bool):

        def exact(data: Any, where: str) -> Any:
            if type(data) is not hint:
                raise ProtocolError(f"{where} : type inattendu")
            return data

        return exact
    if hint is float:

        def number(data: Any, where: str) -> Any:
            if type(data) not in (int, float) or not math.isfinite(data):
                raise ProtocolError(f"{where} : nombre attendu")
            return float(data)

        return number
    if hint is type(None):

        def none(data: Any, where: str) -> Any:
            if data is not None:
                raise ProtocolError(f"{where} : None attendu")
            return None

        return none
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = get_args(hint)
        optional = type(None) in options
        inner = _checker(next(a for a in options if a is not type(None)))

        def union(data: Any, where: str) -> Any:
            if data is None and optional:
                return None
            return inner(data, where)

        return union
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _checker(args[0])

            def many(data: Any, where: str) -> Any:
                if type(data) is not list:
                    raise ProtocolError(f"{where} : liste attendue")
                return tuple(item(v, where) for v in data)

            return many
        items = [_checker(a) for a in args]

        def fixed(data: Any, where: str) -> Any:
            if type(data) is not list:
                raise ProtocolError(f"{where} : liste attendue")
            if len(data) != len(items):
                raise ProtocolError(f"{where} : longueur inattendue")
            return tuple(c(v, where) for v, c in zip(data, items, strict=True))

        return fixed
    if origin in (dict, abc.Mapping):
        value = _checker(get_args(hint)[1])

        def mapping(data: Any, where: str) -> Any:
            if type(data) is not dict:
                raise ProtocolError(f"{where} : dictionnaire attendu")
            return {str(k): value(v, where) for k, v in data.items()}

        return mapping
    if isinstance(hint, type) and issubclass(hint, Enum):
        # One of the enumeration's own values, of their exact type (no 1 for True).
        members = {member.value: member for member in hint}
        value_types = frozenset(type(value) for value in members)

        def member(data: Any, where: str) -> Any:
            if type(data) not in value_types or data not in members:
                raise ProtocolError(f"{where} : valeur inconnue")
            return members[data]

        return member
    if isinstance(hint, type) and is_dataclass(hint):
        record = _record_checker(hint)
        return lambda data, where: record(data)
    raise ProtocolError(f"forme non prise en charge : {hint!r}")  # pragma: no cover


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
