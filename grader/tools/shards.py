"""A class graded in parts: which copies each part grades, and the record of its rows.

`--shard K/N` grades the K-th of N parts of the class's folders, taken in
the order `copies.find_submissions` gives them (their names sorted by code
point, the same on every machine whatever its locale): the folder at
position i, counted from 0, is in part i mod N + 1. Every folder is in
exactly one part, the parts' sizes differ by one at most, and a part may be
empty (N larger than the class).

`--rows FILE` writes the part's rows as one record, a `ShardRecord`, once
every copy of the part is graded; `--merge-rows` (`grader.tools.merge`)
reads each part's record once and writes the class's files from them.
Records are the whole protocol between the parts and the merge, which may
run on other machines: no folder is shared, no CSV is read back. So a
record says everything the merge checks before it trusts it:

- `version`: the record's own layout (`RECORD_VERSION`); a merge reads only its own;
- `kit`: the kit that graded, its version and a digest of the grader's
  files (engine, suites, catalogue); parts graded by two kits are not one grade;
- `assignment` and `exercises`: the same assignment and columns in every part;
- `classe` and `folders`: the class's name (the page's title) and every
  folder of the class, whichever part graded it, so that the merge knows
  the copies of the class and checks that each was graded exactly once;
- `shard` of `shards`: which part it is; the merge wants parts 1 to N, once each;
- `rows`: the part's `class_sheet.Row`s in the folders' order, each with its
  `Report`, before any roster (the merge applies it, to the whole class).

It is written with the protocol's codec (`grader.protocol.wire`), the one
the judge's and the executor's records use: every field read back is
checked against its declared type, and a record of another shape is
refused, one line naming its file (`ShardError`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from grader.protocol.values import ProtocolError
from grader.protocol.wire import from_wire, to_wire
from grader.tools.class_sheet import Row

# The layout of a record; a change of its fields is a new version.
RECORD_VERSION = 1
# The distribution the kit is installed as (pyproject.toml).
_DISTRIBUTION = "asyncio-exercices"
_GRADER = Path(__file__).resolve().parents[1]
_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")

T = TypeVar("T")


class ShardError(Exception):
    """A record that cannot be merged: said in one line, exit status 2."""


@dataclass(frozen=True)
class Shard:
    """The `index`-th (from 1) of `count` parts of a class."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """`K/N` as a Shard; ValueError, in French, for anything else."""
    match = _SHARD.fullmatch(text)
    if match is None or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"attend K/N, deux entiers avec 1 ≤ K ≤ N (ex. 2/4), pas « {text} »")
    return Shard(int(match[1]), int(match[2]))


def pick(items: Sequence[T], shard: Shard) -> list[T]:
    """The items of `shard`, in their order: every `count`-th, from the `index`-th."""
    return list(items[shard.index - 1 :: shard.count])


def kit_version() -> str:
    """The kit that grades: its version, and a digest of every file of the grader.

    The version alone says nothing of a kit edited since (a test, a point);
    the digest changes with any file of `grader/`, so that two parts graded
    by different kits are never merged.
    """
    try:
        version = metadata.version(_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        version = "0"
    digest = hashlib.sha256()
    # The kit's own files: not a cache, nor an editor's hidden file beside them.
    files = sorted(
        path
        for path in _GRADER.rglob("*")
        if path.is_file()
        and path.suffix != ".pyc"
        and not any(
            part == "__pycache__" or part.startswith(".")
            for part in path.relative_to(_GRADER).parts
        )
    )
    for path in files:
        digest.update(path.relative_to(_GRADER).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return f"{version}+{digest.hexdigest()[:16]}"


@dataclass(frozen=True)
class ShardRecord:
    """One part of a class's grading, as `--rows` writes it (the module's docstring)."""

    version: int
    kit: str
    assignment: str
    exercises: tuple[str, ...]
    classe: str
    folders: tuple[str, ...]
    shard: int
    shards: int
    rows: tuple[Row, ...]


_RECORDS: dict[str, type] = {"ShardRecord": ShardRecord}


def write_record(
    path: Path,
    assignment: str,
    exercises: Sequence[str],
    classe: str,
    folders: Sequence[str],
    shard: Shard,
    rows: Sequence[Row],
) -> None:
    """The part's record, written whole, then moved into place."""
    record = ShardRecord(
        version=RECORD_VERSION,
        kit=kit_version(),
        assignment=assignment,
        exercises=tuple(exercises),
        classe=classe,
        folders=tuple(folders),
        shard=shard.index,
        shards=shard.count,
        rows=tuple(rows),
    )
    text = json.dumps(to_wire(record), ensure_ascii=False, allow_nan=False) + "\n"
    partial = path.with_name(f".{path.name}.partiel")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"constante JSON refusée ({name})")


def read_record(path: Path, kit: str) -> ShardRecord:
    """The record `path` holds, graded by `kit`; ShardError, naming the file, otherwise."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ShardError(
            f"le fichier de lignes « {path} » ne se lit pas ({type(exc).__name__})"
        ) from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise ShardError(f"« {path} » n'est pas un fichier de lignes (JSON illisible)") from None
    if type(data) is not dict or data.get("@") != "ShardRecord":
        raise ShardError(f"« {path} » n'est pas un fichier de lignes écrit par --rows")
    if data.get("version") != RECORD_VERSION:
        raise ShardError(
            f"« {path} » est un fichier de lignes de format {str(data.get('version'))[:20]} ; "
            f"ce correcteur lit le format {RECORD_VERSION} : corrigez toutes les parties avec "
            "le même kit"
        )
    if data.get("kit") != kit:
        raise ShardError(
            f"« {path} » a été corrigé par une autre version du kit ({str(data.get('kit'))[:40]} ; "
            f"celle-ci : {kit}) : corrigez toutes les parties avec le même kit"
        )
    try:
        record: ShardRecord = from_wire(data, _RECORDS)
    except (ProtocolError, ValueError, TypeError) as exc:
        raise ShardError(f"le fichier de lignes « {path} » est abîmé ({exc})") from None
    problem = _inconsistency(record)
    if problem:
        raise ShardError(f"le fichier de lignes « {path} » est abîmé ({problem})")
    return record


def _inconsistency(record: ShardRecord) -> str:
    """What in a well-formed record cannot be true of a part's grading ("" when nothing)."""
    if not 1 <= record.shard <= record.shards:
        return f"partie {record.shard}/{record.shards}"
    if list(record.folders) != sorted(set(record.folders)):
        return "liste des copies"
    expected = pick(record.folders, Shard(record.shard, record.shards))
    if [row.name for row in record.rows] != expected:
        return f"ses lignes ne sont pas celles de la partie {record.shard}/{record.shards}"
    if any(set(row.points) != set(record.exercises) for row in record.rows):
        return "ses lignes n'ont pas les colonnes de ses exercices"
    return ""


def combine(paths: Sequence[Path], assignment: str | None = None) -> ShardRecord:
    """The records of every part of one class, read once each, as one record of the class.

    Refused (ShardError, one line): a file that is not a record, or of another
    layout, kit, assignment (`assignment`, when given, or the first file's),
    exercises or class; a part given twice, or missing.
    """
    if not paths:
        raise ShardError("--merge-rows attend au moins un fichier de lignes")
    kit = kit_version()
    records = [(path, read_record(path, kit)) for path in paths]
    first_path, first = records[0]
    wanted = assignment or first.assignment
    for path, record in records:
        if record.assignment != wanted:
            raise ShardError(
                f"« {path} » est une correction du devoir {record.assignment}, pas de {wanted}"
            )
        if record.exercises != first.exercises:
            raise ShardError(
                f"« {path} » ne corrige pas les mêmes exercices que « {first_path} » "
                f"({', '.join(record.exercises)} ; {', '.join(first.exercises)})"
            )
        if (record.classe, record.folders) != (first.classe, first.folders):
            raise ShardError(f"« {path} » et « {first_path} » ne sont pas de la même classe")
        if record.shards != first.shards:
            raise ShardError(
                f"« {path} » est la partie {record.shard}/{record.shards}, « {first_path} » la "
                f"partie {first.shard}/{first.shards} : les parties d'une classe se comptent "
                "de la même façon"
            )
    given: dict[int, Path] = {}
    for path, record in records:
        if record.shard in given:
            raise ShardError(
                f"la partie {record.shard}/{record.shards} est donnée deux fois "
                f"(« {given[record.shard]} » et « {path} »)"
            )
        given[record.shard] = path
    missing = [f"{k}/{first.shards}" for k in range(1, first.shards + 1) if k not in given]
    if missing:
        which = "les parties" if len(missing) > 1 else "la partie"
        raise ShardError(
            f"il manque {which} {', '.join(missing)} de la classe « {first.classe} » : "
            "donnez le fichier de lignes de chaque partie"
        )
    by_name = {row.name: row for _, record in records for row in record.rows}
    return ShardRecord(
        version=first.version,
        kit=first.kit,
        assignment=first.assignment,
        exercises=first.exercises,
        classe=first.classe,
        folders=first.folders,
        shard=1,
        shards=1,
        rows=tuple(by_name[name] for name in first.folders),
    )
