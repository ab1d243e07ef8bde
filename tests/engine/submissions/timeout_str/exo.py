import asyncio


TIMEOUT = "5"  # lu sur la ligne de commande sans type=float


async def travail(x):
    await asyncio.wait_for(asyncio.sleep(x), TIMEOUT)
    return 2 * x


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
