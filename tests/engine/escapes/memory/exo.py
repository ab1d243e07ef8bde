"""Asks for 4 GB at once."""
import asyncio


async def travail(x):
    memoire = bytearray(4 * 1024**3)
    return len(memoire)


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
