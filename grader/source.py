"""The student's source read as a tree: which statements hold a line, and which line stands for it.

Both sides need it: the executor's diagnostics name a place in a loop, and
the judge names where a program stopped by the real-time limit was running.
A sample of a running program lands on any line of the loop it turns in;
`steady_line` gives the one line that stands for all of them, so the same
program is named at the same line on every run. Pure functions of the
`ast`: no import of the student's code, nothing executed.
"""

from __future__ import annotations

import ast
import io
import stat
import tokenize
from collections.abc import Callable, Iterator
from pathlib import Path

# A source larger than this is not parsed (a hostile file is read by the judge).
MAX_SOURCE = 2_000_000


def parse_file(path: Path) -> ast.Module | None:
    """The module's tree, or None when it cannot be read or parsed."""
    try:
        info = path.stat()
        # A regular file only: a FIFO in the student's folder would block the reader.
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SOURCE:
            return None
        return ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def lines(node: ast.AST) -> tuple[int, int]:
    """The first and last line of a statement, a handler or a match case."""
    if isinstance(node, ast.match_case):
        last = node.body[-1]
        return node.pattern.lineno, last.end_lineno or last.lineno
    start = getattr(node, "lineno", 0)
    return start, getattr(node, "end_lineno", None) or start


def own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under `node`, without going into nested functions or classes."""
    for child in ast.iter_child_nodes(node):
        yield child
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            yield from own_nodes(child)


def has(node: ast.AST, kind: type[ast.AST]) -> ast.AST | None:
    """The first node of that kind under `node`, in its own code."""
    return next((n for n in own_nodes(node) if isinstance(n, kind)), None)


def suspends(node: ast.AST) -> bool:
    """Whether the code of `node` can give control back to the event loop."""
    return any(
        isinstance(n, (ast.Await, ast.AsyncFor, ast.AsyncWith, ast.Yield, ast.YieldFrom))
        for n in own_nodes(node)
    )


def _function_at(tree: ast.Module, line: int, first: int | None) -> ast.AST:
    """The function starting at `first`, or else the innermost one holding `line`."""
    found: ast.AST = tree
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        if first is not None:
            if start == first:
                return node
        elif start <= line <= lines(node)[1] and lines(found)[0] <= start:
            found = node
    return tree if first is not None else found


def path_in(tree: ast.Module, line: int, first: int | None = None) -> list[ast.AST]:
    """The statements that hold `line`, outermost first, in the function starting at `first`.

    Without `first` (a stack dump names a function, not where it starts), in
    the innermost function that holds the line.
    """
    path: list[ast.AST] = []
    node = _function_at(tree, line, first)
    while True:
        inner = next(
            (
                child
                for child in ast.iter_child_nodes(node)
                if isinstance(child, (ast.stmt, ast.ExceptHandler, ast.match_case))
                and lines(child)[0] <= line <= lines(child)[1]
            ),
            None,
        )
        if inner is None:
            return path
        path.append(inner)
        node = inner


def steady_line(tree: ast.Module, line: int, first: int | None = None) -> int:
    """The line a sample of a running program stands for: the same wherever the sample fell.

    The outermost loop around the line that never awaits (the whole of it
    runs within one step of the event loop), else the statement holding it.
    """
    path = path_in(tree, line, first)
    for node in path:
        if isinstance(node, (ast.For, ast.While)) and not suspends(node):
            return node.lineno
    statements = [n for n in path if isinstance(n, ast.stmt)]
    return statements[-1].lineno if statements else line


# Lines a quoted statement may run over before it is cut with « … ».
MAX_QUOTED_LINES = 8


def quoted_line(getline: Callable[[int], str], line: int) -> str:
    """Line `line` as a message quotes it: a call left open goes on to its closing bracket.

    `getline(n)` gives line n of the file ("" past its end). A line that
    closes its brackets is given as it is, comment and all. One that leaves
    a bracket open (`await asyncio.gather(` then an argument per line) is
    joined with the lines that close it, without their comments, so a
    message never shows half a call.
    """
    first = getline(line)
    code, depth = _code_and_depth(first)
    if depth <= 0:
        return first.strip()
    parts = [code]
    n = line
    while depth > 0:
        n += 1
        if n - line >= MAX_QUOTED_LINES or not (text := getline(n)):
            parts.append("…")
            break
        code, change = _code_and_depth(text)
        parts.append(code)
        depth += change
    # Joined at the line breaks only, as the call would be written on one line:
    # no space after an opening bracket, no trailing comma before a closing one.
    joined = parts[0]
    for part in filter(None, parts[1:]):
        if joined.endswith(("(", "[", "{")):
            joined += part
        elif part.startswith((")", "]", "}")):
            joined = joined.removesuffix(",") + part
        else:
            joined += " " + part
    return joined


def _code_and_depth(text: str) -> tuple[str, int]:
    """A physical line without its comment, and how many brackets it leaves open (or closes)."""
    depth = 0
    end = len(text)
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                end = token.start[1]
            elif token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth -= 1
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass  # a statement that goes on: what was read counts
    return text[:end].strip(), depth
