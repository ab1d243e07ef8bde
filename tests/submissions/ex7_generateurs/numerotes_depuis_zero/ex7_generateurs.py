"""Exercice 7 — Générateurs asynchrones et async for

Objectif
--------
Un générateur asynchrone est une fonction `async def` qui contient `yield` :
il produit ses valeurs une à une, et peut attendre (`await`) entre deux
valeurs. On le parcourt avec `async for`, ou dans une compréhension
asynchrone `[x async for x in ...]`. Chaque valeur arrive au moment où le
générateur la produit, pas toutes à la fin : celui qui le parcourt peut s'en
servir aussitôt.

Parcourir plusieurs générateurs l'un après l'autre fait s'additionner leurs
attentes ; les parcourir en même temps (une coroutine par générateur, lancées
ensemble avec `asyncio.gather`) ne dure que le temps du plus long.

C'est la section « async for et async with » du cours (le générateur
`powers_of_two` et les compréhensions asynchrones), et « Les règles » :
`yield` est permis dans une fonction `async def`, mais pas `yield from`.

Ce qui est donné
----------------
- `TAILLES = [3, 1, 2]` et `DELAI = 0.5` : les valeurs de l'exemple.
- `async def chronometrer(n: int, delai: float) -> list[tuple[float, int]]`
  parcourt `powers_of_two(n, delai)` et renvoie, pour chaque valeur reçue,
  le couple `(instant, valeur)`, l'instant étant mesuré avec
  `time.perf_counter()` depuis le début du parcours. Ne la modifiez pas :
  elle vous sert à voir quand arrive chaque valeur.

Ce qu'il faut écrire
--------------------
1. `async def powers_of_two(n: int, delai: float)`
   Un générateur asynchrone qui produit avec `yield` les `n` premières
   puissances de deux, 1, 2, 4, ..., 2 ** (n - 1), dans cet ordre. AVANT
   chaque valeur, il attend `delai` secondes avec `await asyncio.sleep(...)`
   (surtout pas `time.sleep`). Il produit chaque valeur dès qu'elle est
   prête : ne construisez pas une liste pour la parcourir ensuite. Avec
   `n = 0`, il ne produit rien.
   `chronometrer(3, 0.5)` renvoie `[(0.5, 1), (1.0, 2), (1.5, 4)]`.

2. `async def puissances_filtrees(n: int, delai: float, seuil: int) -> list[int]`
   Renvoie, dans l'ordre, les valeurs de `powers_of_two(n, delai)`
   strictement supérieures à `seuil`, avec une compréhension asynchrone
   munie d'un filtre (`if`).
   `puissances_filtrees(6, 0.5, 5)` renvoie `[8, 16, 32]` au bout de 3 s.

3. `async def consommer(k: int, taille: int, delai: float) -> list[int]`
   Parcourt `powers_of_two(taille, delai)` avec `async for` ; au moment où
   chaque valeur arrive, affiche
       Générateur {k} : {valeur}
   Renvoie la liste des valeurs reçues, dans l'ordre.

4. `async def une_apres_l_autre(tailles: list[int], delai: float) -> tuple[list[list[int]], float]`
   Pour chaque taille de `tailles`, dans l'ordre, attend `consommer(k, taille,
   delai)` avant de passer à la suivante (`k` vaut 1 pour la première
   taille, 2 pour la deuxième, ...). Mesure la durée avec
   `time.perf_counter()`, puis affiche
       Une après l'autre : {duree:.2f} s
   Renvoie `(listes, duree)`, `listes` ayant une liste par taille, dans
   l'ordre de `tailles`.

5. `async def ensemble(tailles: list[int], delai: float) -> tuple[list[list[int]], float]`
   La même chose, mais tous les `consommer(k, taille, delai)` en même temps,
   avec `asyncio.gather`. Affiche à la fin
       Ensemble : {duree:.2f} s
   et renvoie `(listes, duree)`, `listes` dans l'ordre de `tailles`.

6. `async def main()`
   Appelle `une_apres_l_autre(TAILLES, DELAI)`, puis `ensemble(TAILLES, DELAI)`.

Exemple d'exécution
-------------------
    $ python -m exercises.ex7_generateurs
    Générateur 1 : 1
    Générateur 1 : 2
    Générateur 1 : 4
    Générateur 2 : 1
    Générateur 3 : 1
    Générateur 3 : 2
    Une après l'autre : 3.00 s
    Générateur 1 : 1
    Générateur 2 : 1
    Générateur 3 : 1
    Générateur 1 : 2
    Générateur 3 : 2
    Générateur 1 : 4
    Ensemble : 1.50 s

Une après l'autre, les attentes s'additionnent : (3 + 1 + 2) × 0.5 s = 3 s,
une ligne toutes les 0.5 s. Ensemble, les trois générateurs attendent en même
temps : les trois premières lignes apparaissent ensemble à 0.5 s, les deux
suivantes à 1 s, la dernière à 1.5 s, le temps du plus long (3 × 0.5 s).
Parmi les lignes qui apparaissent au même instant, l'ordre n'importe pas.

Outils pratiqués
----------------
`async def` avec `yield`, `async for`, compréhension asynchrone,
`asyncio.sleep`, `asyncio.gather`, `asyncio.run`, `time.perf_counter`.

Lancer et vérifier
------------------
    python -m exercises.ex7_generateurs          (exécution réelle)
    nox -s grade -- --only ex7_generateurs       (correction automatique)
"""

import asyncio
import time
from collections.abc import AsyncIterator

TAILLES = [3, 1, 2]
DELAI = 0.5


async def chronometrer(n: int, delai: float) -> list[tuple[float, int]]:
    """Donnée : parcourt powers_of_two(n, delai), renvoie (instant, valeur) pour chaque valeur."""
    debut = time.perf_counter()
    return [(time.perf_counter() - debut, valeur) async for valeur in powers_of_two(n, delai)]


async def powers_of_two(n: int, delai: float) -> AsyncIterator[int]:
    """Produit 1, 2, 4, ..., 2 ** (n - 1), en attendant `delai` secondes avant chacune."""
    for i in range(n):
        # L'attente vient avant la valeur : celui qui parcourt le générateur la reçoit à son heure.
        await asyncio.sleep(delai)
        yield 2**i


async def puissances_filtrees(n: int, delai: float, seuil: int) -> list[int]:
    """Les valeurs de powers_of_two(n, delai) strictement supérieures à seuil, dans l'ordre."""
    # Compréhension asynchrone : le filtre garde les valeurs au fur et à mesure qu'elles arrivent.
    return [x async for x in powers_of_two(n, delai) if x > seuil]


async def consommer(k: int, taille: int, delai: float) -> list[int]:
    """Parcourt powers_of_two(taille, delai), affiche chaque valeur dès qu'elle arrive."""
    valeurs = []
    async for valeur in powers_of_two(taille, delai):
        print(f"Générateur {k} : {valeur}")
        valeurs.append(valeur)
    return valeurs


async def une_apres_l_autre(tailles: list[int], delai: float) -> tuple[list[list[int]], float]:
    """Parcourt un générateur par taille, chacun après la fin du précédent."""
    debut = time.perf_counter()
    listes = []
    for k, taille in enumerate(tailles):
        # Chaque await attend la fin d'un parcours avant le suivant : les durées s'additionnent.
        listes.append(await consommer(k, taille, delai))
    duree = time.perf_counter() - debut
    print(f"Une après l'autre : {duree:.2f} s")
    return listes, duree


async def ensemble(tailles: list[int], delai: float) -> tuple[list[list[int]], float]:
    """Parcourt tous les générateurs en même temps, avec asyncio.gather."""
    debut = time.perf_counter()
    # gather lance tous les parcours ensemble et rend leurs listes dans l'ordre de `tailles`.
    listes = await asyncio.gather(
        *(consommer(k, taille, delai) for k, taille in enumerate(tailles))
    )
    duree = time.perf_counter() - debut
    print(f"Ensemble : {duree:.2f} s")
    return list(listes), duree


async def main() -> None:
    """Les deux façons de parcourir les générateurs de TAILLES, l'une après l'autre."""
    await une_apres_l_autre(TAILLES, DELAI)
    await ensemble(TAILLES, DELAI)


if __name__ == "__main__":
    asyncio.run(main())
