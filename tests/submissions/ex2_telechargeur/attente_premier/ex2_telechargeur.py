"""Correct : une boucle asyncio.wait(..., return_when=FIRST_COMPLETED) ; plus lent par max des durées."""

import asyncio
import random
import time

FICHIERS = [f"fichier_{i}.zip" for i in range(1, 6)]


async def telecharger(nom, duree):
    await asyncio.sleep(duree)
    return (nom, duree)


async def telecharger_tout(durees=None):
    if durees is None:
        durees = {nom: random.uniform(1, 5) for nom in FICHIERS}
    print("Début des téléchargements...")
    t0 = time.perf_counter()
    en_cours = {asyncio.create_task(telecharger(n, d)) for n, d in durees.items()}
    while en_cours:
        finis, en_cours = await asyncio.wait(en_cours, return_when=asyncio.FIRST_COMPLETED)
        for tache in finis:
            nom, duree = tache.result()
            print(f"{nom}  terminé   ({duree:.1f}s)")
    total = time.perf_counter() - t0
    lent = max(durees, key=lambda n: durees[n])
    print(f"Temps total : {total:.1f}s — fichier le plus lent : {lent}")
    return total, lent


async def main():
    await telecharger_tout()


if __name__ == "__main__":
    asyncio.run(main())
