"""Correct : boucle asyncio.wait(FIRST_COMPLETED) dans le producteur, task_done et queue.join."""

import asyncio
import random
import time

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
    en_cours = {asyncio.create_task(recuperer(url)): url for url in urls}
    restantes = set(en_cours)
    while restantes:
        finies, restantes = await asyncio.wait(restantes, return_when=asyncio.FIRST_COMPLETED)
        # Plusieurs peuvent finir au même instant : on les dépose dans l'ordre de fin.
        for tache in sorted(finies, key=lambda t: list(en_cours).index(t)):
            await queue.put((en_cours[tache], tache.result()))
    # On attend que chaque lot ait été traité avant d'annoncer la fin.
    await queue.join()
    for _ in range(nb_consommateurs):
        await queue.put(None)


async def consommateur(nom: str, queue: asyncio.Queue, resultats: dict[str, int]) -> None:
    while True:
        element = await queue.get()
        try:
            if element is None:
                break
            url, donnees = element
            resultats[url] = await analyser(donnees)
            print(f"{nom} a analysé {url}")
        finally:
            queue.task_done()


async def pipeline(
    urls: list[str] = URLS, nb_consommateurs: int = 2
) -> tuple[dict[str, int], float]:
    queue: asyncio.Queue = asyncio.Queue()
    resultats: dict[str, int] = {}
    t0 = time.perf_counter()
    taches = [asyncio.create_task(producteur(queue, urls, nb_consommateurs))]
    taches += [
        asyncio.create_task(consommateur(f"consommateur_{n}", queue, resultats))
        for n in range(1, nb_consommateurs + 1)
    ]
    await asyncio.wait(taches)
    elapsed = time.perf_counter() - t0
    print(f"Temps total : {elapsed:.2f}s")
    return resultats, elapsed


async def comparer(urls: list[str] = URLS) -> tuple[float, float]:
    durees = []
    for nb in (1, 2):
        _, duree = await pipeline(urls, nb)
        durees.append(duree)
    t1, t2 = durees
    print(f"1 consommateur : {t1:.2f}s / 2 consommateurs : {t2:.2f}s")
    return t1, t2


async def main() -> None:
    await comparer()


if __name__ == "__main__":
    asyncio.run(main())
