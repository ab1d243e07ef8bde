"""Leaves a daemon behind: double fork, a session of its own, then a long sleep."""
import asyncio
import os
from pathlib import Path

# How long to sleep: a number the test chose, to find the processes again.
DUREE = (Path(__file__).parent / "cible.txt").read_text().strip()


async def travail(x):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", DUREE])
        os.execv("/bin/true", ["true"])
    return 0


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
