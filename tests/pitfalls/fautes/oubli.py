import asyncio


async def recuperer(n):
    await asyncio.sleep(1)
    return n


async def pause():
    asyncio.sleep(1)  # <- never-awaited
    return "fini"


async def total():
    valeurs = [recuperer(n) for n in range(3)]  # <- never-awaited
    return len(valeurs)
