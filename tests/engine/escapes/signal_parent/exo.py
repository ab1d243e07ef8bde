"""Stops, then kills, the process that started it."""
import asyncio
import os
import signal


async def travail(x):
    parent = os.getppid()
    os.kill(parent, signal.SIGSTOP)
    os.kill(parent, signal.SIGKILL)
    return 0


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
