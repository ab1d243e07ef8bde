import asyncio
import time

# Environ 0.35 s de processeur quelle que soit la machine : plus que le seuil du correcteur.
DUREE_CALCUL = 0.35


def calcul_lourd():
    debut = time.thread_time()
    n = 0
    while time.thread_time() - debut < DUREE_CALCUL:
        n += 1
    return n


async def calcul_dans_la_coroutine():
    await asyncio.sleep(0)
    debut = time.thread_time()
    n = 0
    while time.thread_time() - debut < DUREE_CALCUL:  # <- cpu-bound
        n += 1
    return n


async def calcul_dans_une_fonction():
    await asyncio.sleep(0)
    resultat = calcul_lourd()  # <- cpu-bound
    return resultat
