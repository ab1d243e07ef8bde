import asyncio


async def patienter(duree):
    await asyncio.sleep(duree)


async def horloge():
    await asyncio.gather(patienter(1.0), patienter(2.0))


async def guetter(evenement):
    await evenement.wait()


async def boucle():
    evenement = asyncio.Event()
    asyncio.get_running_loop().call_later(1.5, evenement.set)
    await guetter(evenement)
