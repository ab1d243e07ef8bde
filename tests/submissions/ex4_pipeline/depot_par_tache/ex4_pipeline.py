"""Correct : gather de coroutines qui récupèrent puis déposent chacune leur lot, Queue bornée."""

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


async def producteur(queue, urls, nb_consommateurs):
    async def un_lot(url):
        donnees = await recuperer(url)
        await queue.put((url, donnees))

    await asyncio.gather(*[un_lot(url) for url in urls])
    for i in range(nb_consommateurs):
        await queue.put(None)


async def consommateur(nom, queue, resultats):
    while True:
        item = await queue.get()
        if item is None:
            break
        resultats[item[0]] = await analyser(item[1])
        print(nom, "a analysé", item[0])


async def pipeline(urls=URLS, nb_consommateurs=2):
    start = time.perf_counter()
    q = asyncio.Queue(maxsize=3)
    res = {}
    consommateurs = [consommateur(f"conso-{i}", q, res) for i in range(nb_consommateurs)]
    await asyncio.gather(producteur(q, urls, nb_consommateurs), *consommateurs)
    elapsed = time.perf_counter() - start
    print(f"Temps total : {elapsed:.2f}s")
    return res, elapsed


async def comparer(urls=URLS):
    t1 = (await pipeline(urls, 1))[1]
    t2 = (await pipeline(urls, 2))[1]
    print(f"1 consommateur : {t1:.2f}s / 2 consommateurs : {t2:.2f}s")
    return (t1, t2)


async def main():
    await comparer()


if __name__ == "__main__":
    asyncio.run(main())
