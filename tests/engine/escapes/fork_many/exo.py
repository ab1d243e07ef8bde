"""Starts 200 processes that sleep for hours."""
import asyncio
import os


async def travail(x):
    for _ in range(200):
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", "31338"])
    return 0


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
