"""How the student's source is read: the line a loop stands for, a call quoted whole."""

from __future__ import annotations

import ast
from pathlib import Path

from grader import source

PROGRAMME = """\
async def travail(urls):
    n = 0
    while n >= 0:
        n += 1
        if n > 3:
            n = 1
    resultats = await asyncio.gather(  # tout en même temps
        recuperer(urls[0]),
        recuperer(urls[1]),
    )
    for url in urls:
        await asyncio.sleep(0)
        print(url)
"""
LIGNES = PROGRAMME.splitlines(keepends=True)


def ligne(n: int) -> str:
    return LIGNES[n - 1] if 0 < n <= len(LIGNES) else ""


def test_a_sample_anywhere_in_a_loop_that_never_awaits_is_the_loop() -> None:
    tree = ast.parse(PROGRAMME)
    assert {source.steady_line(tree, n) for n in (3, 4, 5, 6)} == {3}
    # A loop that awaits runs over several steps: the statement is the place.
    assert source.steady_line(tree, 13) == 13


def test_a_call_over_several_lines_is_quoted_whole_without_comments() -> None:
    assert source.quoted_line(ligne, 7) == (
        "resultats = await asyncio.gather(recuperer(urls[0]), recuperer(urls[1]))"
    )
    assert source.quoted_line(ligne, 4) == "n += 1"
    # Only the line breaks are mended: a one-element tuple keeps its comma.
    tuple_ = ["x = f(\n", "    (1,), 2\n", ")\n"]
    assert source.quoted_line(lambda n: tuple_[n - 1] if n <= 3 else "", 1) == "x = f((1,), 2)"
    # A line that closes its brackets keeps its comment: the quoting strips it.
    assert source.quoted_line(lambda n: "x = f(1)  # note\n", 1) == "x = f(1)  # note"


def test_a_call_left_open_is_cut_after_a_few_lines() -> None:
    open_call = ["f(\n"] + ["    1,\n"] * 20
    quoted = source.quoted_line(lambda n: open_call[n - 1] if n <= len(open_call) else "", 1)
    assert quoted.endswith("…") and quoted.count("1") == source.MAX_QUOTED_LINES - 1


def test_an_unreadable_file_is_no_tree(tmp_path: Path) -> None:
    broken = tmp_path / "exo.py"
    broken.write_text("def (:\n", encoding="utf-8")
    assert source.parse_file(broken) is None
    assert source.parse_file(tmp_path / "absent.py") is None
