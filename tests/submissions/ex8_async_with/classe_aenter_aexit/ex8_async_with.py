"""Exercice 8 — Ressources partagées avec async with

Objectif
--------
Une application qui interroge une API ouvre une connexion (un « client »
HTTP), fait ses requêtes, puis ferme la connexion. Ouvrir et fermer prennent
du temps : on le fait sans bloquer, avec `await`. Et on le fait UNE fois :
toutes les requêtes passent, en même temps, par le même client partagé,
au lieu d'ouvrir une connexion par requête. La connexion doit être fermée
dans tous les cas, même quand une requête échoue.

C'est la section « async for et async with » du cours (`async with` pour une
ressource ouverte et fermée sans bloquer, comme `aiohttp.ClientSession`), et
le piège (2) de « Les pièges classiques » : un seul client partagé pendant
toute la vie de l'application (`lifespan`, `asynccontextmanager`), pas un par
requête.

Ce qui est donné (ne le modifiez pas)
-------------------------------------
- `DUREE_OUVERTURE = 0.5`, `DUREE_FERMETURE = 0.2` : les durées, en
  secondes, de l'ouverture et de la fermeture d'une connexion.
- `PAGES` : pour chaque URL, le couple `(delai, contenu)` ; une requête
  vers cette URL dure `delai` secondes et renvoie `contenu`. Un contenu
  `None` est une page en panne : la requête échoue au bout de `delai`.
- `URLS` : les trois URL de l'exemple ; `URL_EN_PANNE` : une URL en panne.
- `async def ouvrir_connexion() -> dict` : attend `DUREE_OUVERTURE`
  secondes, affiche `Connexion ouverte` et renvoie la connexion, un
  dictionnaire `{"ouverte": True}`.
- `async def fermer_connexion(connexion: dict) -> None` : attend
  `DUREE_FERMETURE` secondes, marque la connexion fermée et affiche
  `Connexion fermée`.
- `async def requete(url: str, connexion: dict) -> str` : lève
  `RuntimeError` si la connexion est fermée ; sinon attend le délai de
  `url`, puis affiche `Réponse de {url}` et renvoie le contenu de la page,
  ou lève `ConnectionError("{url} ne répond pas")` si la page est en panne.
- `async def main()` : télécharge `URLS` et affiche chaque page, puis essaie
  `URLS` plus `URL_EN_PANNE` et affiche `Échec : {message}` quand
  l'exception lui parvient.

Ce qu'il faut écrire
--------------------
1. `client_partage()`, un gestionnaire de contexte asynchrone écrit avec le
   décorateur `@asynccontextmanager` (du module `contextlib`) :
   a. ouvre la connexion avec `await ouvrir_connexion()` ;
   b. la donne au bloc `async with` avec `yield connexion` ;
   c. la ferme avec `await fermer_connexion(connexion)` dans un `finally`,
      pour qu'elle soit fermée même si le bloc lève une exception ;
      l'exception, elle, continue son chemin (ne l'attrapez pas).
   Il s'utilise ainsi :
       async with client_partage() as connexion:
           contenu = await requete(url, connexion)

2. `async def telecharger_tout(urls: list[str]) -> tuple[dict[str, str], float]`
   a. Notez l'instant de départ avec `time.perf_counter()`.
   b. Ouvrez UNE connexion avec `async with client_partage() as connexion:`
      et, à l'intérieur du bloc, faites toutes les requêtes en même temps
      avec `asyncio.gather` : `requete(url, connexion)` pour chaque URL,
      toutes avec cette même connexion. Attendez leurs réponses DANS le
      bloc : à la sortie du bloc, la connexion se ferme.
   c. Après le bloc (connexion fermée), mesurez la durée totale, ouverture
      et fermeture comprises, et affichez
          Terminé : {n} page(s) en {duree:.2f}s
      où `n` est le nombre d'URL.
   d. Renvoyez `(pages, duree)` : `pages` associe à chaque URL le contenu
      reçu, dans l'ordre de `urls`.
   Si une requête échoue, son exception sort de `telecharger_tout` telle
   quelle, et la connexion a quand même été fermée. Avec une liste vide, la
   connexion est ouverte et fermée, et la fonction renvoie `({}, duree)`.

Exemple d'exécution
-------------------
    $ python -m exercises.ex8_async_with
    Connexion ouverte
    Réponse de https://api.exemple.fr/bourse
    Réponse de https://api.exemple.fr/meteo
    Réponse de https://api.exemple.fr/sport
    Connexion fermée
    Terminé : 3 page(s) en 2.20s
    https://api.exemple.fr/meteo : soleil, 21 °C
    https://api.exemple.fr/bourse : CAC 40 en hausse
    https://api.exemple.fr/sport : victoire 2-1
    Connexion ouverte
    Réponse de https://api.exemple.fr/bourse
    Réponse de https://api.exemple.fr/meteo
    Réponse de https://api.exemple.fr/sport
    Connexion fermée
    Échec : https://api.exemple.fr/panne ne répond pas

Une seule connexion pour les trois requêtes, et les trois se font en même
temps : 0.5 s d'ouverture + 1.5 s (la plus longue requête) + 0.2 s de
fermeture = 2.2 s, pas 0.5 + 1.2 + 0.8 + 1.5 + 0.2 = 4.2 s. Les réponses
arrivent dans l'ordre de leurs délais, mais `pages` suit l'ordre de `urls`.
Dans le second essai, la page en panne échoue en dernier (au bout de 2 s) :
la connexion est fermée avant que `main` affiche l'échec.

Outils pratiqués
----------------
`async with`, `contextlib.asynccontextmanager`, `yield`, `try` / `finally`,
`asyncio.gather`, `time.perf_counter`.

Lancer et vérifier
------------------
    python -m exercises.ex8_async_with          (exécution réelle)
    nox -s grade -- --only ex8_async_with       (correction automatique)
"""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

DUREE_OUVERTURE = 0.5
DUREE_FERMETURE = 0.2

PAGES: dict[str, tuple[float, str | None]] = {
    "https://api.exemple.fr/meteo": (1.2, "soleil, 21 °C"),
    "https://api.exemple.fr/bourse": (0.8, "CAC 40 en hausse"),
    "https://api.exemple.fr/sport": (1.5, "victoire 2-1"),
    "https://api.exemple.fr/panne": (2.0, None),
}

URLS = [
    "https://api.exemple.fr/meteo",
    "https://api.exemple.fr/bourse",
    "https://api.exemple.fr/sport",
]

URL_EN_PANNE = "https://api.exemple.fr/panne"


async def ouvrir_connexion() -> dict[str, Any]:
    """Donné : ouvre une connexion (DUREE_OUVERTURE secondes) et la renvoie."""
    await asyncio.sleep(DUREE_OUVERTURE)
    print("Connexion ouverte")
    return {"ouverte": True}


async def fermer_connexion(connexion: dict[str, Any]) -> None:
    """Donné : ferme la connexion (DUREE_FERMETURE secondes)."""
    await asyncio.sleep(DUREE_FERMETURE)
    connexion["ouverte"] = False
    print("Connexion fermée")


async def requete(url: str, connexion: dict[str, Any]) -> str:
    """Donné : demande la page `url` par la connexion ouverte `connexion`, renvoie son contenu."""
    if not connexion.get("ouverte"):
        raise RuntimeError(f"requête vers {url} sur une connexion fermée")
    delai, contenu = PAGES[url]
    await asyncio.sleep(delai)
    if contenu is None:
        raise ConnectionError(f"{url} ne répond pas")
    print(f"Réponse de {url}")
    return contenu


class ClientPartage:
    """Gestionnaire de contexte asynchrone écrit à la main : __aenter__ et __aexit__."""

    def __init__(self) -> None:
        self.connexion: dict[str, Any] | None = None

    async def __aenter__(self) -> dict[str, Any]:
        self.connexion = await ouvrir_connexion()
        return self.connexion

    async def __aexit__(self, *exception: object) -> None:
        # Renvoyer None (faux) laisse passer l'exception du bloc.
        if self.connexion is not None:
            await fermer_connexion(self.connexion)


def client_partage() -> ClientPartage:
    """Ouvre une connexion, la donne au bloc async with, la ferme quoi qu'il arrive."""
    return ClientPartage()


async def telecharger_tout(urls: list[str]) -> tuple[dict[str, str], float]:
    """Télécharge toutes les pages en même temps par une seule connexion partagée."""
    debut = time.perf_counter()
    # Une seule connexion pour toutes les requêtes, pas une par requête.
    async with client_partage() as connexion:
        # Attendues dans le bloc : la connexion ne se ferme qu'après la dernière réponse.
        contenus = await asyncio.gather(*(requete(url, connexion) for url in urls))
    duree = time.perf_counter() - debut
    print(f"Terminé : {len(urls)} page(s) en {duree:.2f}s")
    # gather rend les résultats dans l'ordre où on lui a donné les requêtes.
    return dict(zip(urls, contenus, strict=True)), duree


async def main() -> None:
    """Donné : télécharge URLS, puis essaie URLS avec une page en panne."""
    pages, _ = await telecharger_tout(URLS)
    for url, contenu in pages.items():
        print(f"{url} : {contenu}")
    try:
        await telecharger_tout([*URLS, URL_EN_PANNE])
    except ConnectionError as exc:
        print(f"Échec : {exc}")


if __name__ == "__main__":
    asyncio.run(main())
