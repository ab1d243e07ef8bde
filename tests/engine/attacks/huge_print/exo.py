"""Prints one 20 MB line in a single write, with terminal escapes."""
import asyncio


async def travail(x):
    print("\x1b[2J\x1b[31m" + "x" * 20_000_000)
    return 0


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
