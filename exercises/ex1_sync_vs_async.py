"""Exercice 1 — Synchrone contre asynchrone

Objectif
--------
Un programme doit récupérer trois séries de données : les utilisateurs (la
requête prend 2 s), les commandes (3 s) et l'inventaire (1 s). On simule ces
requêtes par des attentes : on ne touche pas au réseau.

Écrit de façon synchrone, le programme attend chaque réponse avant de
demander la suivante : les attentes s'additionnent, 2 + 3 + 1 = 6 s.
Écrit avec asyncio, il lance les trois requêtes en même temps et les laisse
attendre ensemble : le programme dure autant que la plus longue, 3 s.
Vous allez écrire les deux versions, les chronométrer et comparer.

C'est l'exemple `count()` de la section « async et await » du cours :
`time.sleep` bloque tout le programme, alors que `await asyncio.sleep(...)`
suspend seulement la coroutine qui attend, et l'event loop fait avancer les
autres pendant ce temps. `asyncio.gather` (section « Les outils
principaux ») lance plusieurs coroutines en même temps et rend leurs
résultats dans l'ordre où on les lui a donnés.

Ce qui est donné
----------------
- `fetch_users()` attend 2 s avec `time.sleep` et renvoie
  `["alice", "bob", "charlie"]` ;
- `fetch_orders()` attend 3 s et renvoie `["order_1", "order_2"]` ;
- `fetch_inventory()` attend 1 s et renvoie `["item_A", "item_B", "item_C"]` ;
- `main()` lance les deux versions l'une après l'autre et affiche la
  comparaison.
Ne les modifiez pas.

Ce qu'il faut écrire
--------------------
1. `def run_sync() -> tuple[list[list[str]], float]`
   Notez l'instant de départ avec `time.perf_counter()`, puis appelez les
   trois fonctions données l'une après l'autre, dans cet ordre :
   `fetch_users()`, `fetch_orders()`, `fetch_inventory()`. Mesurez le temps
   écoulé (`elapsed`) avec `time.perf_counter()`, affichez
       Version synchrone : {elapsed:.2f} s
   et renvoyez le couple `([users, orders, inventory], elapsed)`.

2. `async def fetch_users_async() -> list[str]`,
   `async def fetch_orders_async() -> list[str]`,
   `async def fetch_inventory_async() -> list[str]`
   Les versions asynchrones des trois fonctions données : mêmes valeurs
   renvoyées, mais chacune attend avec `await asyncio.sleep(...)`
   (2 s, 3 s et 1 s), jamais avec `time.sleep`.

3. `async def run_async() -> tuple[list[list[str]], float]`
   Notez l'instant de départ, puis lancez les trois coroutines EN MÊME
   TEMPS avec `asyncio.gather`. Mesurez le temps écoulé, affichez
       Version asynchrone : {elapsed:.2f} s
   et renvoyez `([users, orders, inventory], elapsed)` : les résultats dans
   cet ordre-là, même si l'inventaire arrive le premier.

4. `def duree_totale(durees: list[float], concurrent: bool) -> float`
   Calcule, sans rien attendre, combien de temps prend une série d'attentes
   dont on connaît les durées :
   - `concurrent` faux (l'une après l'autre) : la somme des durées ;
   - `concurrent` vrai (toutes en même temps) : la plus grande durée ;
   - pour une liste vide : `0.0`.
   Par exemple `duree_totale([2.0, 3.0, 1.0], False)` vaut `6.0` et
   `duree_totale([2.0, 3.0, 1.0], True)` vaut `3.0`.

5. `EXPLICATION` : remplacez la chaîne vide par une à trois phrases qui
   expliquent pourquoi les deux versions ne durent pas le même temps.
   Votre enseignant la lira ; elle ne rapporte pas de points.

Exemple d'exécution
-------------------
    $ python -m exercises.ex1_sync_vs_async
    Version synchrone : 6.00 s
    Version asynchrone : 3.00 s
    duree_totale prévoit 6.00 s l'une après l'autre et 3.00 s en même temps
    Pourquoi ? (votre EXPLICATION)

En vrai, les temps mesurés peuvent dépasser d'un ou deux centièmes
(6.01 s, par exemple) ; la correction automatique, elle, mesure sur une
horloge simulée et attend exactement 6.00 s et 3.00 s.

Outils pratiqués
----------------
`async def` / `await`, `asyncio.sleep` (et pourquoi pas `time.sleep` dans
une coroutine), `asyncio.gather`, `asyncio.run`, `time.perf_counter`.

Lancer et vérifier
------------------
    python -m exercises.ex1_sync_vs_async          (exécution réelle, environ 9 s)
    nox -s grade -- --only ex1_sync_vs_async       (correction automatique)
"""

import asyncio
import time

# ---------------------------------------------------------------- donné


def fetch_users() -> list[str]:
    """Simule une requête lente de 2 s qui bloque le programme ; renvoie les utilisateurs."""
    time.sleep(2)
    return ["alice", "bob", "charlie"]


def fetch_orders() -> list[str]:
    """Simule une requête lente de 3 s qui bloque le programme ; renvoie les commandes."""
    time.sleep(3)
    return ["order_1", "order_2"]


def fetch_inventory() -> list[str]:
    """Simule une requête lente de 1 s qui bloque le programme ; renvoie l'inventaire."""
    time.sleep(1)
    return ["item_A", "item_B", "item_C"]


# ---------------------------------------------------------------- à écrire


def run_sync() -> tuple[list[list[str]], float]:
    """Appelle les trois fonctions données l'une après l'autre et chronomètre le tout."""
    # TODO étape 1 : noter l'instant de départ, appeler fetch_users, fetch_orders
    # puis fetch_inventory, mesurer le temps écoulé, afficher la ligne
    # « Version synchrone : ... s » et renvoyer ([users, orders, inventory], elapsed).
    raise NotImplementedError("À compléter")


async def fetch_users_async() -> list[str]:
    """Version asynchrone de fetch_users : attend 2 s sans bloquer, renvoie les utilisateurs."""
    # TODO étape 2 : attendre 2 s sans bloquer les autres tâches, puis renvoyer
    # la même liste que fetch_users.
    raise NotImplementedError("À compléter")


async def fetch_orders_async() -> list[str]:
    """Version asynchrone de fetch_orders : attend 3 s sans bloquer, renvoie les commandes."""
    # TODO étape 2 : attendre 3 s sans bloquer, renvoyer la même liste que fetch_orders.
    raise NotImplementedError("À compléter")


async def fetch_inventory_async() -> list[str]:
    """Version asynchrone de fetch_inventory : attend 1 s sans bloquer, renvoie l'inventaire."""
    # TODO étape 2 : attendre 1 s sans bloquer, renvoyer la même liste que fetch_inventory.
    raise NotImplementedError("À compléter")


async def run_async() -> tuple[list[list[str]], float]:
    """Lance les trois coroutines en même temps et chronomètre le tout."""
    # TODO étape 3 : noter l'instant de départ, lancer les trois coroutines en
    # même temps, mesurer le temps écoulé, afficher la ligne
    # « Version asynchrone : ... s » et renvoyer ([users, orders, inventory], elapsed).
    raise NotImplementedError("À compléter")


def duree_totale(durees: list[float], concurrent: bool) -> float:
    """Durée d'une série d'attentes : à la suite (somme) ou en même temps (maximum)."""
    # TODO étape 4 : la somme des durées, ou la plus grande si concurrent est vrai ;
    # 0.0 pour une liste vide.
    raise NotImplementedError("À compléter")


# Une à trois phrases : pourquoi les deux versions ne durent-elles pas le même temps ?
# TODO étape 5 : écrire votre explication entre les guillemets.
EXPLICATION = ""


# ---------------------------------------------------------------- donné


def main() -> None:
    """Lance les deux versions l'une après l'autre et compare leurs durées."""
    resultats_sync, _ = run_sync()
    resultats_async, _ = asyncio.run(run_async())
    if resultats_async != resultats_sync:
        print("Attention : les deux versions ne renvoient pas les mêmes résultats")
    durees = [2.0, 3.0, 1.0]
    a_la_suite = duree_totale(durees, concurrent=False)
    en_meme_temps = duree_totale(durees, concurrent=True)
    print(
        f"duree_totale prévoit {a_la_suite:.2f} s l'une après l'autre "
        f"et {en_meme_temps:.2f} s en même temps"
    )
    print(f"Pourquoi ? {EXPLICATION}")


if __name__ == "__main__":
    main()
