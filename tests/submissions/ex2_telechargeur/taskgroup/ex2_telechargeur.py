"""Correct : asyncio.TaskGroup, chaque tâche affiche sa propre ligne en finissant ; from time import perf_counter."""

import asyncio
import random
from time import perf_counter

FICHIERS = [f"fichier_{i}.zip" for i in range(1, 6)]


async def telecharger(nom: str, duree: float) -> tuple[str, float]:
    await asyncio.sleep(duree)
    return nom, duree


async def telecharger_tout(durees: dict[str, float] | None = None) -> tuple[float, str]:
    if durees is None:
        durees = {}
        for nom in FICHIERS:
            durees[nom] = random.uniform(1, 5)

    print("Début des téléchargements...")
    debut = perf_counter()
    ordre_de_fin: list[str] = []

    async def suivre(nom: str, duree: float) -> None:
        nom, duree = await telecharger(nom, duree)
        print(f"{nom} terminé ({duree:.1f}s)")
        ordre_de_fin.append(nom)

    async with asyncio.TaskGroup() as groupe:
        for nom, duree in durees.items():
            groupe.create_task(suivre(nom, duree))

    total = perf_counter() - debut
    plus_lent = ordre_de_fin[-1]
    print(f"Temps total : {total:.1f}s — fichier le plus lent : {plus_lent}")
    return total, plus_lent


async def main():
    await telecharger_tout()


if __name__ == "__main__":
    asyncio.run(main())
