import asyncio
import time


async def patienter(duree):
    fin = time.perf_counter() + duree
    while time.perf_counter() < fin:  # <- busy-wait
        pass


async def horloge():
    await asyncio.gather(patienter(1.0), patienter(2.0))


async def guetter(evenement):
    while not evenement.is_set():
        await asyncio.sleep(0)  # <- busy-wait


async def boucle():
    evenement = asyncio.Event()
    asyncio.get_running_loop().call_later(1.5, evenement.set)
    await guetter(evenement)
