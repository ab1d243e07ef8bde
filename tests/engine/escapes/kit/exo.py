"""Reads the hidden suite it is told about (cible.txt) and puts it in its error."""
import asyncio
from pathlib import Path

CIBLE = (Path(__file__).parent / "cible.txt").read_text().strip()


async def travail(x):
    raise RuntimeError(Path(CIBLE).read_text())


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
