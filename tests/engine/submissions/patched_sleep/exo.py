import asyncio

async def rapide(delai, resultat=None):
    return resultat

asyncio.sleep = rapide

async def travail(x):
    await asyncio.sleep(x)
    return 2 * x


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
