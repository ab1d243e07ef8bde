"""Leaves a daemon behind: double fork, a session of its own, then a long sleep.

The executor refuses os.fork (an honest process pool gets a clear message);
posix.fork, the same function under its own module, is what a hostile
submission reaches for: the sandbox must still catch what it starts.
"""
import asyncio
import os
import posix
from pathlib import Path

# How long to sleep: a number the test chose, to find the processes again.
DUREE = (Path(__file__).parent / "cible.txt").read_text().strip()


async def travail(x):
    if posix.fork() == 0:
        os.setsid()
        if posix.fork() == 0:
            os.execv("/bin/sleep", ["sleep", DUREE])
        os.execv("/bin/true", ["true"])
    return 0


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
