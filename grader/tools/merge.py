"""A class graded in parts, made one: ``python -m grader --merge-rows PART... --csv F``.

Each part's record (``--shard K/N --rows FILE``, `grader.tools.shards`) is
read once and checked (`shards.combine`: the same kit, assignment and class,
every part exactly once); then the class's files are written by the code a
run over the whole class ends with (`class_sheet.write_class`,
`class_sheet.write_reports`), so that the sheet, the summary, the page and
each student's reports are those one run would have written, byte for byte.
A roster is applied here, to the whole class. No student code runs in a
merge: it needs neither the copies nor the sandbox.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from grader.metadata import load_catalogue
from grader.tools.class_sheet import outputs_problem, report_names, write_class, write_reports
from grader.tools.roster import RosterError, owners, read_roster, with_owner
from grader.tools.shards import ShardError, combine
from grader.usage import usage_error

EXIT_OK = 0
PROG = "python -m grader"


def merge_class(
    records: Sequence[Path],
    csv_path: Path,
    *,
    html: Path | None = None,
    excel: bool = False,
    roster: Path | None = None,
    reports: Path | None = None,
    assignment: str | None = None,
    stream: TextIO | None = None,
) -> int:
    """The class's sheet (and page, reports) from its parts' `records`; the exit status.

    The options mean what they mean to `batch.grade_class`; `assignment`, when
    given, is the one every record must be of. Every mistake is one line on
    `stream` and exit status 2, before anything is written.
    """
    out = sys.stderr if stream is None else stream
    problem = outputs_problem(csv_path, html, reports)
    if problem is not None:
        return usage_error(PROG, problem, out)
    try:
        merged = combine(records, assignment)
    except ShardError as exc:
        return usage_error(PROG, exc, out)
    try:
        students = read_roster(roster) if roster is not None else None
    except RosterError as exc:
        return usage_error(PROG, exc, out)
    found = owners(merged.folders, students or [])
    rows = [
        row if students is None else with_owner(row, found.get(row.name)) for row in merged.rows
    ]
    if reports is not None:
        files = report_names(merged.folders)
        for row in rows:
            write_reports(row, reports, files[row.name])
    max_scores = {e.id: e.max_score for e in load_catalogue().exercises}
    write_class(
        rows,
        merged.exercises,
        csv_path,
        html=html,
        excel=excel,
        students=students,
        found=found,
        max_total=float(sum(max_scores.get(i, 0.0) for i in merged.exercises)),
        classe=merged.classe,
        stream=out,
    )
    return EXIT_OK
