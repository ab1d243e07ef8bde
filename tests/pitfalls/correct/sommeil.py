import asyncio


async def telecharger(duree):
    await asyncio.sleep(duree)


async def attendre():
    await asyncio.gather(telecharger(1.0), telecharger(2.0))
