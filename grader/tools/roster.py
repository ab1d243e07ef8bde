"""GitHub Classroom's roster: which student each repository of a class belongs to.

Classroom's roster export (the Students tab, « Download ») is a CSV with the
columns `identifier`, `github_username`, `github_id` and `name`; a bulk clone
names each repository `<assignment>-<github_username>`. With `--roster`, the
class's sheet gets an `identifiant` column (the roster's identifier, what an
LMS imports), and every student of the roster gets a row, 0 and the reason,
even with no repository: a sheet an LMS imports must hold every student.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.tools.class_sheet import Row

IDENTIFIER = "identifier"
USERNAME = "github_username"
NAME = "name"


class RosterError(Exception):
    """A roster that cannot be read: said in one line, exit status 2."""


@dataclass(frozen=True)
class Student:
    identifier: str
    username: str  # "" for a student who never linked a GitHub account
    name: str = ""


def read_roster(path: Path) -> list[Student]:
    """The roster's students, in its order; RosterError when it is not one."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"le roster « {path} » ne se lit pas ({type(exc).__name__})") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in (IDENTIFIER, USERNAME) if c not in (reader.fieldnames or [])]
    if missing:
        raise RosterError(
            f"le roster « {path} » n'a pas de colonne {', '.join(missing)} (attendu : l'export "
            "de GitHub Classroom, colonnes identifier, github_username, github_id, name)"
        )
    students = [
        Student(
            (row.get(IDENTIFIER) or "").strip(),
            (row.get(USERNAME) or "").strip(),
            (row.get(NAME) or "").strip(),
        )
        for row in reader
    ]
    return [s for s in students if s.identifier or s.username]


def owner(folder: str, students: Sequence[Student]) -> Student | None:
    """The student whose repository `folder` is: `<username>` or `<assignment>-<username>`.

    GitHub usernames are case-insensitive and may hold a dash themselves: the
    longest one that ends the folder's name wins.
    """
    name = folder.casefold()
    matches = [
        s
        for s in students
        if s.username
        and (name == s.username.casefold() or name.endswith("-" + s.username.casefold()))
    ]
    return max(matches, key=lambda s: len(s.username), default=None)


def owners(folders: Sequence[str], students: Sequence[Student]) -> Mapping[str, Student]:
    """Each folder's student, for the folders the roster knows."""
    return {f: s for f in folders if (s := owner(f, students)) is not None}


def absent(students: Sequence[Student], found: Mapping[str, Student]) -> list[Student]:
    """The roster's students with no repository among the folders."""
    taken = {id(s) for s in found.values()}
    return [s for s in students if id(s) not in taken]


def absence_reason(student: Student) -> str:
    if not student.username:
        return "aucun compte GitHub lié dans le roster : devoir jamais accepté"
    return f"aucun dépôt de {student.username} parmi les copies"


def with_owner(row: Row, student: Student | None) -> Row:
    """A copy's row with its student's identifier, or flagged as unknown to the roster."""
    if student is not None:
        return dataclasses.replace(row, identifier=student.identifier)
    unknown = "dépôt absent du roster : aucun identifiant"
    return dataclasses.replace(row, problem=" ; ".join(filter(None, [row.problem, unknown])))


def absent_rows(
    students: Sequence[Student],
    found: Mapping[str, Student],
    exercise_ids: Sequence[str],
    max_score: float,
) -> list[Row]:
    """A row, 0 and the reason, for each student of the roster with no repository."""
    return [
        Row(
            s.username or s.name or s.identifier,
            dict.fromkeys(exercise_ids, 0.0),
            0.0,
            max_score,
            absence_reason(s),
            identifier=s.identifier,
        )
        for s in absent(students, found)
    ]
