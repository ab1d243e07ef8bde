"""Temps total affiché tel quel, {elapsed} au lieu de {elapsed:.2f}."""

import asyncio
import random
import time

URLS = [f"https://api.exemple.fr/mesures/{i}" for i in range(1, 7)]
DUREE_ANALYSE = 1.0


async def recuperer(url: str) -> list[int]:
    """Donnée : simule une API lente, renvoie [n, 2n, 3n] pour l'adresse .../n."""
    await asyncio.sleep(random.uniform(0.5, 2.0))
    n = int(url.rsplit("/", 1)[-1])
    return [n, 2 * n, 3 * n]


async def analyser(donnees: list[int]) -> int:
    """Donnée : simule une analyse de DUREE_ANALYSE secondes, renvoie la somme des mesures."""
    await asyncio.sleep(DUREE_ANALYSE)
    return sum(donnees)


async def producteur(queue: asyncio.Queue, urls: list[str], nb_consommateurs: int) -> None:
    """Récupère toutes les adresses en même temps et dépose chaque lot dès qu'il arrive."""

    # as_completed ne dit pas de quelle tâche vient un résultat : on le renvoie avec l'adresse.
    async def recuperer_avec_url(url: str) -> tuple[str, list[int]]:
        return url, await recuperer(url)

    # Une tâche par adresse, créée tout de suite : les récupérations se font en même temps.
    taches = [asyncio.create_task(recuperer_avec_url(url)) for url in urls]

    # as_completed rend les lots dans l'ordre où ils arrivent : chacun part dans la file aussitôt.
    for prochaine in asyncio.as_completed(taches):
        url, donnees = await prochaine
        await queue.put((url, donnees))

    # Une sentinelle par consommateur, après toutes les données : chacun en consomme une.
    for _ in range(nb_consommateurs):
        await queue.put(None)


async def consommateur(nom: str, queue: asyncio.Queue, resultats: dict[str, int]) -> None:
    """Analyse les lots de la file jusqu'à recevoir la sentinelle None."""
    while True:
        # get attend sans bloquer les autres tâches tant que la file est vide.
        element = await queue.get()
        if element is None:
            return
        url, donnees = element
        resultats[url] = await analyser(donnees)
        print(f"{nom} a analysé {url}")


async def pipeline(
    urls: list[str] = URLS, nb_consommateurs: int = 2
) -> tuple[dict[str, int], float]:
    """Fait tourner le producteur et nb_consommateurs consommateurs sur une même file."""
    debut = time.perf_counter()
    queue: asyncio.Queue = asyncio.Queue()
    resultats: dict[str, int] = {}

    # gather les fait tourner ensemble : l'analyse commence dès le premier lot déposé.
    await asyncio.gather(
        producteur(queue, urls, nb_consommateurs),
        *(
            consommateur(f"consommateur_{i}", queue, resultats)
            for i in range(1, nb_consommateurs + 1)
        ),
    )

    elapsed = time.perf_counter() - debut
    print(f"Temps total : {elapsed}s")
    return resultats, elapsed


async def comparer(urls: list[str] = URLS) -> tuple[float, float]:
    """Mesure le pipeline avec un consommateur, puis avec deux."""
    # L'un après l'autre : deux pipelines en même temps fausseraient la comparaison.
    _, t1 = await pipeline(urls, 1)
    _, t2 = await pipeline(urls, 2)
    print(f"1 consommateur : {t1:.2f}s / 2 consommateurs : {t2:.2f}s")
    return t1, t2


async def main() -> None:
    """Compare un et deux consommateurs sur les adresses URLS."""
    # Sans argument : les six adresses de URLS.
    await comparer()


if __name__ == "__main__":
    asyncio.run(main())
