"""Correct : asyncio.TaskGroup partout, chaque tâche de récupération dépose son propre lot."""

import asyncio
import random
from time import perf_counter

URLS = [f"https://api.exemple.fr/mesures/{i}" for i in range(1, 7)]
DUREE_ANALYSE = 1.0


async def recuperer(url: str) -> list[int]:
    await asyncio.sleep(random.uniform(0.5, 2.0))
    n = int(url.rsplit("/", 1)[-1])
    return [n, 2 * n, 3 * n]


async def analyser(donnees: list[int]) -> int:
    await asyncio.sleep(DUREE_ANALYSE)
    return sum(donnees)


async def producteur(queue: asyncio.Queue, urls: list[str], nb_consommateurs: int) -> None:
    async def recuperer_et_deposer(url: str) -> None:
        queue.put_nowait((url, await recuperer(url)))

    async with asyncio.TaskGroup() as groupe:
        for url in urls:
            groupe.create_task(recuperer_et_deposer(url))
    # Le bloc est fini : toutes les données sont dans la file.
    for _ in range(nb_consommateurs):
        queue.put_nowait(None)


async def consommateur(nom: str, queue: asyncio.Queue, resultats: dict[str, int]) -> None:
    while (element := await queue.get()) is not None:
        url, donnees = element
        valeur = await analyser(donnees)
        resultats[url] = valeur
        print(f"{nom} a analysé {url}")


async def pipeline(
    urls: list[str] = URLS, nb_consommateurs: int = 2
) -> tuple[dict[str, int], float]:
    debut = perf_counter()
    queue: asyncio.Queue = asyncio.Queue()
    resultats: dict[str, int] = {}
    async with asyncio.TaskGroup() as groupe:
        groupe.create_task(producteur(queue, urls, nb_consommateurs))
        for i in range(nb_consommateurs):
            groupe.create_task(consommateur(f"consommateur_{i + 1}", queue, resultats))
    elapsed = perf_counter() - debut
    print(f"Temps total : {elapsed:.2f}s")
    return resultats, elapsed


async def comparer(urls: list[str] = URLS) -> tuple[float, float]:
    t1 = (await pipeline(urls, nb_consommateurs=1))[1]
    t2 = (await pipeline(urls, nb_consommateurs=2))[1]
    print(f"1 consommateur : {t1:.2f}s / 2 consommateurs : {t2:.2f}s")
    return t1, t2


async def main() -> None:
    await comparer()


if __name__ == "__main__":
    asyncio.run(main())
