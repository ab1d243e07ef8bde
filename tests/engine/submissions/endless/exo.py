import asyncio

async def travail(x):
    n = 0
    while n >= 0:
        n += 1

async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
