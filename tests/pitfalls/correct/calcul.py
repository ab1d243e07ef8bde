import asyncio
import time

DUREE_CALCUL = 0.35


def calcul_lourd():
    debut = time.thread_time()
    n = 0
    while time.thread_time() - debut < DUREE_CALCUL:
        n += 1
    return n


async def calcul_dans_la_coroutine():
    # Beaucoup de petites étapes : l'event loop reprend la main entre chacune.
    n = 0
    for _ in range(1000):
        n += sum(range(100))
        await asyncio.sleep(0)
    return n


async def calcul_dans_une_fonction():
    return await asyncio.to_thread(calcul_lourd)
