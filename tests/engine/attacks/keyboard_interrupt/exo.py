"""Raises what a Ctrl-C raises, to stop the session."""
import asyncio


async def travail(x):
    raise KeyboardInterrupt


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
