"""Finding the student's line: in a frame, a task's await chain, or a task's name.

The one home of this search for the executor: the clock, the loop and every
diagnostic ask here, with the test's `is_user_file` (the student's files, and
nothing of the grader's or the standard library's).
"""

from __future__ import annotations

import asyncio
import linecache
import os
import re
import sys
import traceback
import types
from collections.abc import Callable
from typing import Any

from grader import source
from grader.executor.clock.errors import Location

# The names asyncio gives tasks nobody named; they say nothing to a student.
_AUTO_TASK_NAME = re.compile(r"Task-\d+")


def task_label(task: asyncio.Task[Any], is_user_file: Callable[[str], bool]) -> str | None:
    """A task as the student knows it: the name they gave it, or their coroutine's name.

    None for a task that runs none of the student's code (the grader's own).
    """
    coro: Any = task.get_coro()
    while coro is not None:
        code = getattr(coro, "cr_code", None) or getattr(coro, "ag_code", None)
        if code is not None and is_user_file(code.co_filename):
            name = task.get_name()
            if not _AUTO_TASK_NAME.fullmatch(name):
                return name
            # `producteur.<locals>.recuperer` reads as `recuperer` to its author.
            return str(getattr(coro, "__qualname__", code.co_name)).rpartition("<locals>.")[2]
        coro = getattr(coro, "cr_await", None)
    return None


def is_library_file(filename: str) -> bool:
    return (
        filename.startswith(sys.prefix)
        or filename.startswith(sys.base_prefix)
        or filename.startswith("<")
        or "site-packages" in filename
        or os.sep + "grader" + os.sep in filename
    )


def user_frame(
    frame: types.FrameType | None, is_user_file: Callable[[str], bool]
) -> tuple[str, int, str] | None:
    """The innermost frame of the student's code, from `frame` outwards: file, line, function."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if is_user_file(filename):
            return filename, frame.f_lineno, frame.f_code.co_name
        frame = frame.f_back
    return None


def user_location(
    frame: types.FrameType | None, is_user_file: Callable[[str], bool]
) -> Location | None:
    """The innermost line of the student's code, walking outwards from `frame`, quoted."""
    found = user_frame(frame, is_user_file)
    return line_location(*found) if found is not None else None


# How much of a quoted line travels: a line thousands of characters long is
# not code a message can show.
MAX_QUOTE = 200


def line_location(filename: str, line: int, function: str) -> Location:
    """A line of the student's code, quoted: a call written over several lines, whole."""
    code = source.quoted_line(lambda n: linecache.getline(filename, n), line)
    return Location(os.path.basename(filename), line, function, code[:MAX_QUOTE])


def traceback_location(exc: BaseException, is_user_file: Callable[[str], bool]) -> Location | None:
    """The innermost line of the student's code in an exception's traceback."""
    try:
        summaries = traceback.extract_tb(exc.__traceback__)
    except Exception:  # a traceback the student's code tampered with
        return None
    found = None
    for summary in summaries:
        if is_user_file(summary.filename):
            found = summary.filename, summary.lineno or 0, summary.name
    return line_location(*found) if found is not None else None


def task_location(task: asyncio.Task[Any], is_user_file: Callable[[str], bool]) -> Location | None:
    """Where a suspended task waits: the innermost student line of its await chain."""
    best: Location | None = None
    coro: Any = task.get_coro()
    # Follow the chain of awaits down to the innermost coroutine.
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
        if frame is not None and is_user_file(frame.f_code.co_filename):
            best = line_location(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
        coro = getattr(coro, "cr_await", None)
    return best


def task_order(task: asyncio.Task[Any]) -> tuple[int, str]:
    """A task's place when tasks are listed: asyncio's own tasks by creation, named ones by name.

    `asyncio.all_tasks` is a weak set, whose order follows memory addresses:
    every list of tasks a report shows is sorted by this, so that the same
    program gives the same report.
    """
    name = task.get_name()
    number = name.removeprefix("Task-")
    return (int(number), "") if number.isdigit() else (0, name)
