"""Exercice 4 — Pipeline producteur / consommateur

Objectif
--------
On simule un petit traitement de données en deux étapes :
1. récupérer des mesures auprès d'une API lente (une attente par adresse) ;
2. analyser chaque lot de mesures (une autre attente, d'une seconde).

Plutôt que de tout récupérer puis de tout analyser, on monte un pipeline :
un producteur récupère toutes les adresses en même temps et dépose chaque
lot dans une file (`asyncio.Queue`) dès qu'il arrive ; pendant ce temps,
plusieurs consommateurs prennent les lots dans la file et les analysent.
L'analyse commence donc dès que le premier lot est arrivé, et deux
consommateurs vont plus vite qu'un seul.

Pour dire aux consommateurs qu'il n'y a plus rien à attendre, le producteur
dépose à la fin une « sentinelle » : la valeur `None`, une par consommateur
(chaque consommateur s'arrête quand il en reçoit une, et ne la remet pas
dans la file).

C'est la section « Producteurs et consommateurs avec une Queue » du cours,
avec `asyncio.create_task` et `asyncio.as_completed` de la section
« Les outils principaux ».

Ce qui est donné
----------------
- `URLS` : six adresses, de `https://api.exemple.fr/mesures/1` à
  `https://api.exemple.fr/mesures/6`.
- `DUREE_ANALYSE = 1.0` : la durée d'une analyse, en secondes.
- `async def recuperer(url: str) -> list[int]` : attend entre 0.5 et 2 s
  (`random.uniform(0.5, 2.0)`), puis renvoie `[n, 2 * n, 3 * n]`, où `n` est
  le nombre à la fin de l'adresse (`.../mesures/4` donne `[4, 8, 12]`).
- `async def analyser(donnees: list[int]) -> int` : attend `DUREE_ANALYSE`
  secondes, puis renvoie la somme des mesures (`[4, 8, 12]` donne `24`).

Ne modifiez ni ces constantes ni ces deux fonctions. Appelez-les toujours par
leur nom, `recuperer(url)` et `analyser(donnees)` : le correcteur les remplace
par les siennes pour choisir les durées.

Ce qu'il faut écrire
--------------------
1. `async def producteur(queue: asyncio.Queue, urls: list[str], nb_consommateurs: int) -> None`
   a. Lance la récupération de TOUTES les adresses de `urls` en même temps
      (une tâche par adresse).
   b. Dès qu'une récupération se termine, dépose le couple `(url, donnees)`
      dans la file avec `await queue.put(...)` : dans l'ordre où les
      récupérations se terminent, pas dans l'ordre de la liste.
   c. Quand toutes les données sont déposées, dépose `nb_consommateurs`
      fois la sentinelle `None` (une par consommateur, après les données).

2. `async def consommateur(nom: str, queue: asyncio.Queue, resultats: dict[str, int]) -> None`
   Répète :
   a. prendre l'élément suivant de la file avec `await queue.get()` ;
   b. si c'est `None`, s'arrêter (sortir de la fonction) ;
   c. sinon c'est un couple `(url, donnees)` : faire
      `resultats[url] = await analyser(donnees)`, puis afficher
          {nom} a analysé {url}
      au moment où l'analyse se termine.

3. `async def pipeline(urls: list[str] = URLS, nb_consommateurs: int = 2)`
   `-> tuple[dict[str, int], float]`
   a. Notez l'instant de départ avec `time.perf_counter()`.
   b. Créez UNE file `asyncio.Queue()` et un dictionnaire `resultats` vide.
   c. Faites tourner EN MÊME TEMPS le producteur et `nb_consommateurs`
      consommateurs, nommés `consommateur_1`, `consommateur_2`, …, tous sur
      la même file et le même dictionnaire ; attendez qu'ils aient tous fini.
   d. Mesurez la durée écoulée avec `time.perf_counter()`, affichez
          Temps total : {elapsed:.2f}s
      et renvoyez le couple `(resultats, elapsed)`.

4. `async def comparer(urls: list[str] = URLS) -> tuple[float, float]`
   Lance `pipeline(urls, 1)`, puis (une fois fini) `pipeline(urls, 2)`, et
   note la durée de chacun : `t1` puis `t2`. Affiche
       1 consommateur : {t1:.2f}s / 2 consommateurs : {t2:.2f}s
   et renvoie le couple `(t1, t2)`.

5. `async def main()`
   Appelle `await comparer()` (avec les adresses par défaut).

Exemple d'exécution
-------------------
    $ python -m exercises.ex4_pipeline
    consommateur_1 a analysé https://api.exemple.fr/mesures/3
    consommateur_1 a analysé https://api.exemple.fr/mesures/6
    consommateur_1 a analysé https://api.exemple.fr/mesures/1
    consommateur_1 a analysé https://api.exemple.fr/mesures/5
    consommateur_1 a analysé https://api.exemple.fr/mesures/2
    consommateur_1 a analysé https://api.exemple.fr/mesures/4
    Temps total : 6.56s
    consommateur_1 a analysé https://api.exemple.fr/mesures/2
    consommateur_2 a analysé https://api.exemple.fr/mesures/4
    consommateur_1 a analysé https://api.exemple.fr/mesures/1
    consommateur_2 a analysé https://api.exemple.fr/mesures/6
    consommateur_1 a analysé https://api.exemple.fr/mesures/5
    consommateur_2 a analysé https://api.exemple.fr/mesures/3
    Temps total : 3.73s
    1 consommateur : 6.56s / 2 consommateurs : 3.73s

Les durées de récupération sont tirées au hasard : vos chiffres et l'ordre
des lignes seront différents. Mais avec un seul consommateur, les six
analyses d'une seconde se suivent (un peu plus de 6 s au total) ; avec deux,
elles se font deux par deux (un peu plus de 3 s). Dans les deux cas, la
première analyse commence dès que la première récupération se termine.

Avec vos propres adresses :
    asyncio.run(pipeline(["https://api.exemple.fr/mesures/7"], 1))
affiche `consommateur_1 a analysé https://api.exemple.fr/mesures/7` puis
`Temps total : …s`, et renvoie `({"https://api.exemple.fr/mesures/7": 42}, …)`.

Outils pratiqués
----------------
`asyncio.Queue` (`put`, `get`), la sentinelle `None`, `asyncio.create_task`,
`asyncio.as_completed`, `asyncio.gather`, `asyncio.run`, `time.perf_counter`.

Lancer et vérifier
------------------
    python -m exercises.ex4_pipeline          (exécution réelle)
    nox -s grade -- --only ex4_pipeline       (correction automatique)
"""

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
    print(f"Temps total : {elapsed:.2f}s")
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
