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


def to_wire(record: Any) -> Any:
    """A record as JSON-ready data, values encoded; used on both sides."""
    cls: type = type(record)
    hints = _hints(cls)
    return {
        "@": cls.__name__,
        **{f.name: _to_wire(getattr(record, f.name), hints[f.name]) for f in fields(record)},
    }


def _to_wire(obj: Any, hint: Any) -> Any:
    # A value slot first: an Opaque (or a student's dataclass) there is a value, not a record.
    if hint is Any:
        return encode_value(obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        return to_wire(obj)
    if isinstance(obj, Enum):
        return obj.value
    origin = get_origin(hint)
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return [_to_wire(v, args[0]) for v in obj]
        return [_to_wire(v, a) for v, a in zip(obj, args, strict=True)]
    if origin in (dict, abc.Mapping):
        return {str(k): _to_wire(v, get_args(hint)[1]) for k, v in obj.items()}
    if origin in (Union, types.UnionType):
        if obj is None:
            return None
        inner = [a for a in get_args(hint) if a is not type(None)]
        return _to_wire(obj, inner[0])
    return obj


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    # Resolved once per class; only the records' classes ever reach here.
    return typing.get_type_hints(cls)


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
    if origin in (dict, abc.Mapping):
        if type(data) is not dict:
            raise ProtocolError(f"{where} : dictionnaire attendu")
        value_hint = get_args(hint)[1]
        return {str(k): _check(v, value_hint, where) for k, v in data.items()}
    if isinstance(hint, type) and issubclass(hint, Enum):
        # One of the enumeration's own values, of their exact type (no 1 for True).
        members = {member.value: member for member in hint}
        if type(data) not in {type(value) for value in members} or data not in members:
            raise ProtocolError(f"{where} : valeur inconnue")
        return members[data]
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
