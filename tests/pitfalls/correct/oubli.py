import asyncio


async def recuperer(n):
    await asyncio.sleep(1)
    return n


async def pause():
    await asyncio.sleep(1)
    return "fini"


async def total():
    valeurs = await asyncio.gather(*(recuperer(n) for n in range(3)))
    return len(valeurs)
