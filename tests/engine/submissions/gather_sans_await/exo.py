import asyncio


async def moitie(x):
    await asyncio.sleep(x)
    return x


async def travail(x):
    a, b = asyncio.gather(
        moitie(x),
        moitie(x),
    )
    return a + b


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
