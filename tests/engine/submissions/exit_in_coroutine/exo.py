import asyncio
import sys

async def travail(x):
    await asyncio.sleep(x)
    sys.exit(3)

async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
