"""Correct : as_completed directement sur les coroutines (il en fait des tâches lui-même)."""

import asyncio
import random
import time

FICHIERS = [f"fichier_{i}.zip" for i in range(1, 6)]


async def telecharger(nom: str, duree: float) -> tuple[str, float]:
    await asyncio.sleep(duree)
    return nom, duree


async def telecharger_tout(durees: dict[str, float] | None = None) -> tuple[float, str]:
    durees = durees if durees is not None else {f: random.uniform(1, 5) for f in FICHIERS}
    print("Début des téléchargements...")
    debut = time.perf_counter()
    plus_lent, plus_longue = "", -1.0
    for resultat in asyncio.as_completed([telecharger(n, d) for n, d in durees.items()]):
        nom, duree = await resultat
        print(f"{nom} terminé ({duree:.1f}s)")
        if duree > plus_longue:
            plus_lent, plus_longue = nom, duree
    fin = time.perf_counter()
    print(f"Temps total : {fin - debut:.1f}s — fichier le plus lent : {plus_lent}")
    return fin - debut, plus_lent


async def main() -> None:
    await telecharger_tout()


if __name__ == "__main__":
    asyncio.run(main())
