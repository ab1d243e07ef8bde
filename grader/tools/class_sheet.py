"""What grading a class writes: the class's sheet (CSV) and each student's own reports.

One `Row` per student folder; the sheet is rewritten whole after each copy
(`write_csv`), so an interrupted run keeps the grades so far. No cell a
student chose (a folder's name, an explanation) can become a formula. At the
end, `write_class` writes the sheet, the summary and the page from the rows,
the same whether the class was graded in one run or in parts merged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from grader.formats.words import points
from grader.results import Report, clean_text

if TYPE_CHECKING:
    from grader.tools.roster import Student

NAME_COLUMN = "eleve"
IDENTIFIER_COLUMN = "identifiant"  # with a roster only (`grader.tools.roster`)
TOTAL_COLUMN = "total"
PROBLEM_COLUMN = "probleme"
EXPLANATION_COLUMN = "explication"


@dataclass(frozen=True)
class Row:
    """One student's line of the class's CSV."""

    name: str
    points: Mapping[str, float]
    total: float
    max_score: float
    problem: str = ""  # empty when the submission was graded normally
    explanation: str = ""  # what the student wrote for the teacher (ex1's EXPLICATION)
    tampered: tuple[str, ...] = ()  # the kit's files the copy edited (`tampering`)
    identifier: str = ""  # the roster's identifier of the student, with a roster
    report: Report | None = field(default=None, compare=False)  # None: not graded


def report_name(student: str) -> str:
    """A file name for a student's report: the folder's name, with nothing a path could abuse."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in student).lstrip(".")
    return safe or "_"


def report_names(students: Sequence[str]) -> dict[str, str]:
    """Each student's report file name, distinct even when two folders make the same one.

    « a b » and « a_b » are both « a_b » once made safe: the second is « a_b-2 »,
    so that no student's report overwrites another's.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for student in students:
        base = name = report_name(student)
        n = 1
        while name.casefold() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.casefold())
        names[student] = name
    return names


def write_reports(row: Row, folder: Path, name: str) -> None:
    """The student's own report, to send back: the terminal text, the contract's JSON, a page."""
    from grader.formats import html, json_report, terminal

    folder.mkdir(exist_ok=True)
    if row.report is None:
        text = f"Copie non corrigée : {row.problem}\n"
    else:
        text = terminal.render(row.report, color=False)
        (folder / f"{name}.json").write_text(json_report.render(row.report), encoding="utf-8")
        (folder / f"{name}.html").write_text(html.render(row.report), encoding="utf-8")
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")


def _cell(text: str) -> str:
    """Text a spreadsheet shows as text: never a formula (=, +, -, @), never a control.

    A folder name or an explanation is the student's to choose; « =HYPERLINK(…) »
    opened in a spreadsheet would run. A leading apostrophe keeps it text.
    """
    text = clean_text(text).replace("\n", " ").replace("\t", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_csv(
    rows: Sequence[Row],
    exercise_ids: Sequence[str],
    path: Path,
    *,
    excel: bool = False,
    identifiers: bool = False,
) -> None:
    """The class's sheet; with `excel`, as French Excel opens it by a double click.

    That is: `;` between cells, a decimal comma (`12,5`), and UTF-8 marked by a
    BOM, or the accents of names and problems come out garbled. `identifiers`:
    the roster's identifier of each student, in a column after the name.
    """

    def number(value: float) -> str:
        text = points(value)
        return text.replace(".", ",") if excel else text

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", delimiter=";" if excel else ",")
    who = [NAME_COLUMN, IDENTIFIER_COLUMN] if identifiers else [NAME_COLUMN]
    writer.writerow([*who, *exercise_ids, TOTAL_COLUMN, PROBLEM_COLUMN, EXPLANATION_COLUMN])
    for row in rows:
        writer.writerow(
            [
                _cell(row.name),
                *([_cell(row.identifier)] if identifiers else []),
                *(number(row.points.get(name, 0.0)) for name in exercise_ids),
                number(row.total),
                _cell(row.problem),
                _cell(row.explanation),
            ]
        )
    # Written whole, then moved into place: an interrupted run never leaves a
    # half-written file where the previous grades were.
    partial = path.with_name(f".{path.name}.partiel")
    partial.write_text(buffer.getvalue(), encoding="utf-8-sig" if excel else "utf-8")
    partial.replace(path)


def outputs_problem(
    csv_path: Path | None,
    html: Path | None,
    reports: Path | None,
    rows_path: Path | None = None,
) -> str | None:
    """Why one of a class's outputs cannot be written, in French; None when all can."""
    for path in (csv_path, html, rows_path):
        if path is not None and (path.is_dir() or not path.parent.is_dir()):
            return f"impossible d'écrire « {path} »"
    if reports is not None and (reports.is_file() or not reports.parent.is_dir()):
        return f"impossible d'écrire les rapports dans « {reports} »"
    return None


def write_class(
    rows: Sequence[Row],
    exercise_ids: Sequence[str],
    csv_path: Path,
    *,
    html: Path | None,
    excel: bool,
    students: Sequence[Student] | None,
    found: Mapping[str, Student],
    max_total: float,
    classe: str,
    stream: TextIO,
) -> None:
    """The class's sheet, summary and page from its copies' rows, in the folders' order.

    The one ending of a class's grading, whether it graded the class in one
    run or merged its parts (`grader.tools.merge`): the same rows give the
    same files, byte for byte. `rows` already hold their roster's identifier;
    with a roster (`students`), each of its students without a repository
    (`found`: each folder's student) gets a row too, 0 of `max_total`.
    """
    from grader.tools import class_page
    from grader.tools.roster import absent_rows  # roster's rows are ours: imported here

    out = stream
    ordered = list(rows)
    if students is not None:
        # Every student of the roster gets a row, a repository or not.
        ordered += absent_rows(students, found, exercise_ids, max_total)
    write_csv(ordered, exercise_ids, csv_path, excel=excel, identifiers=students is not None)
    print(class_page.summary(ordered, exercise_ids), file=out)
    if html is not None:
        partial = html.with_name(f".{html.name}.partiel")
        partial.write_text(
            class_page.page(ordered, exercise_ids, f"Classe : {classe}"), encoding="utf-8"
        )
        partial.replace(html)
        print(f"Page de la classe : {html}", file=out)
    flagged = sum(1 for row in ordered if row.problem)
    message = f"{class_page.copies(len(ordered), graded=True)}, notes dans {csv_path}"
    if flagged:
        message += f" ; {flagged} à vérifier (colonne {PROBLEM_COLUMN})"
    print(message, file=out)
