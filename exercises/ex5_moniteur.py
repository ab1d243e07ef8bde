"""Exercice 5 — Détecteur de services actifs

Objectif
--------
Un petit moniteur vérifie l'état de plusieurs services (base de données,
cache, API…). Chaque vérification est une attente plus ou moins longue :
certaines réussissent, d'autres échouent avec une erreur, d'autres encore ne
répondent pas à temps. Le moniteur lance toutes les vérifications en même
temps, limite chacune à `timeout` secondes, affiche le résultat de chaque
service dès qu'il est connu, puis un bilan. Une vérification qui échoue ne
doit jamais empêcher les autres d'aboutir.

Le moniteur dure donc autant que la vérification la plus longue, sans jamais
dépasser `timeout` : avec les services donnés, min(2.5, 2.0) = 2.0 s, et non
la somme 0.3 + 0.1 + 2.5 + 1.2 + 0.8 = 4.9 s.

C'est la section « Les outils principaux » du cours : `asyncio.create_task`
lance une tâche tout de suite, `asyncio.as_completed` rend les résultats dans
l'ordre où ils arrivent, `asyncio.wait_for` limite une attente à un délai et
annule la tâche en retard (il lève alors `TimeoutError`). Une exception levée
dans une vérification se rattrape avec `try` / `except`, comme dans
« Exceptions de plusieurs coroutines (3.11+) ».

Ce qui est donné
----------------
- `SERVICES` : la liste des services à surveiller. Chaque service est un
  dictionnaire avec un nom (`"nom"`), le temps qu'il met à répondre, en
  secondes (`"delai"`), et parfois un message d'erreur (`"erreur"`) quand la
  vérification échoue.
- `TIMEOUT = 2.0` : le temps maximal accordé à chaque vérification.
- `async def verifier(service: dict) -> float` : vérifie un service. Attend
  `service["delai"]` secondes ; si le service a une clé `"erreur"`, lève alors
  `ConnectionError(service["erreur"])`, sinon renvoie le délai.
Ne modifiez pas ces trois éléments.

Ce qu'il faut écrire
--------------------
1. `async def surveiller(services: list[dict] = SERVICES, timeout: float = TIMEOUT) -> dict`
   a. Notez l'instant de départ avec `time.perf_counter()`.
   b. Lancez TOUTES les vérifications tout de suite, une tâche
      (`asyncio.create_task`) par service. Chaque vérification est
      `verifier(service)`, limitée à `timeout` secondes avec
      `asyncio.wait_for(..., timeout)`.
   c. Au moment où une vérification se termine (pas à la fin, tous d'un
      coup), affichez une ligne parmi :
          [EN LIGNE]   {nom} ({duree:.2f}s)
      quand `verifier` a répondu ; `duree` est la valeur qu'elle renvoie ;
          [HORS LIGNE] {nom} (timeout après {timeout:.1f}s)
      quand le service n'a pas répondu à temps (`asyncio.wait_for` a levé
      `TimeoutError`) ; la ligne s'affiche donc au bout de `timeout` secondes ;
          [HORS LIGNE] {nom} (erreur : {message})
      quand `verifier` a levé une exception ; `message` est `str(exception)`.
      Une erreur ne doit arrêter ni le moniteur ni les autres vérifications.
      Conseil : écrivez, à l'intérieur de `surveiller`, une petite coroutine
      qui vérifie UN service, rattrape `TimeoutError` et les autres
      exceptions, et renvoie ce qu'il faut afficher ; parcourez ensuite les
      tâches avec `asyncio.as_completed`.
   d. Quand tout est fini, mesurez la durée totale avec `time.perf_counter()`
      et affichez
          Bilan : {n} en ligne / {m} hors ligne — durée totale {total:.2f}s
   e. Renvoyez le dictionnaire
          {"en_ligne": [...], "hors_ligne": [...], "duree": total}
      où chaque liste contient des noms de services, dans l'ordre où leurs
      résultats sont arrivés. Un service en timeout ou en erreur est hors
      ligne.
   Quand `surveiller` se termine, plus aucune vérification ne doit tourner :
   `asyncio.wait_for` annule lui-même la vérification en retard.

2. `def main(argv: list[str] | None = None) -> int`
   Une fonction ordinaire (`def`, pas `async def`) : c'est le point d'entrée
   du programme en ligne de commande.
   a. Lisez les arguments avec `argparse` : une option `--timeout SECONDES`
      (un nombre à virgule, `TIMEOUT` par défaut). `argv` est la liste des
      arguments ; avec `None`, ce sont ceux de la vraie ligne de commande
      (`parser.parse_args(argv)` gère les deux cas).
   b. Lancez `asyncio.run(surveiller(SERVICES, timeout))`.
   c. Renvoyez `0` si tous les services sont en ligne, `1` sinon. La fin du
      module, `sys.exit(main())`, en fait le code de sortie du programme
      (c'est ainsi qu'un script de supervision sait si tout va bien).

Exemple d'exécution
-------------------
    $ python -m exercises.ex5_moniteur
    [EN LIGNE]   cache Redis (0.10s)
    [EN LIGNE]   base de données (0.30s)
    [EN LIGNE]   CDN (0.80s)
    [EN LIGNE]   serveur mail (1.20s)
    [HORS LIGNE] API externe (timeout après 2.0s)
    Bilan : 4 en ligne / 1 hors ligne — durée totale 2.00s
    $ echo $?
    1
    $ python -m exercises.ex5_moniteur --timeout 3
    [EN LIGNE]   cache Redis (0.10s)
    [EN LIGNE]   base de données (0.30s)
    [EN LIGNE]   CDN (0.80s)
    [EN LIGNE]   serveur mail (1.20s)
    [EN LIGNE]   API externe (2.50s)
    Bilan : 5 en ligne / 0 hors ligne — durée totale 2.50s
    $ echo $?
    0

Chaque ligne apparaît au moment où la vérification se termine : « cache
Redis » au bout de 0.1 s, « API externe » au bout de 2.0 s (le timeout). La
durée totale peut varier d'un centième selon la machine.

On appelle aussi `surveiller` avec ses propres services, par exemple :
    asyncio.run(surveiller([
        {"nom": "A", "delai": 0.5},
        {"nom": "B", "delai": 0.2, "erreur": "connexion refusée"},
        {"nom": "C", "delai": 3.0},
    ], timeout=1.0))
qui affiche
    [HORS LIGNE] B (erreur : connexion refusée)      (au bout de 0.2 s)
    [EN LIGNE]   A (0.50s)                           (au bout de 0.5 s)
    [HORS LIGNE] C (timeout après 1.0s)              (au bout de 1.0 s)
    Bilan : 1 en ligne / 2 hors ligne — durée totale 1.00s
et renvoie à peu près
    {"en_ligne": ["A"], "hors_ligne": ["B", "C"], "duree": 1.0}

Outils pratiqués
----------------
`async def` / `await`, `asyncio.create_task`, `asyncio.as_completed`,
`asyncio.wait_for`, `TimeoutError`, `try` / `except`, `asyncio.run`,
`time.perf_counter`, `argparse`, `sys.exit`.

Lancer et vérifier
------------------
    python -m exercises.ex5_moniteur [--timeout SECONDES]   (exécution réelle)
    nox -s grade -- --only ex5_moniteur                       (correction automatique)
"""

import argparse  # noqa: F401  (sert dans main)
import asyncio
import sys
import time  # noqa: F401  (sert dans surveiller)

SERVICES = [
    {"nom": "base de données", "delai": 0.3},
    {"nom": "cache Redis", "delai": 0.1},
    {"nom": "API externe", "delai": 2.5},
    {"nom": "serveur mail", "delai": 1.2},
    {"nom": "CDN", "delai": 0.8},
]
TIMEOUT = 2.0


async def verifier(service: dict) -> float:
    """Vérifie un service : attend son délai, puis lève son erreur ou renvoie le délai."""
    await asyncio.sleep(service["delai"])
    if "erreur" in service:
        raise ConnectionError(service["erreur"])
    return service["delai"]


async def surveiller(services: list[dict] = SERVICES, timeout: float = TIMEOUT) -> dict:
    """Vérifie tous les services en même temps et affiche chacun dès que son résultat arrive."""
    # TODO étape 1 : lancer une tâche par service (verifier limitée à `timeout`),
    # afficher chaque résultat dès qu'il arrive (en ligne, timeout ou erreur),
    # puis afficher le bilan et renvoyer {"en_ligne": ..., "hors_ligne": ..., "duree": ...}.
    raise NotImplementedError("À compléter")


def main(argv: list[str] | None = None) -> int:
    """Point d'entrée : lit --timeout, lance surveiller, renvoie 0 si tout est en ligne, 1 sinon."""
    # TODO étape 2 : lire l'option --timeout avec argparse, lancer
    # surveiller(SERVICES, timeout) avec asyncio.run, renvoyer le code de sortie.
    raise NotImplementedError("À compléter")


if __name__ == "__main__":
    sys.exit(main())
