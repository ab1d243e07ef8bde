"""Exercice 6 — Enchaîner des coroutines

Objectif
--------
Pour afficher les articles d'un utilisateur, il faut d'abord son nom
(`fetch_user`), puis ses articles (`fetch_posts`), qu'on ne peut demander
qu'avec ce nom : les deux étapes d'une même chaîne se suivent forcément. Mais
les chaînes de plusieurs utilisateurs ne dépendent pas les unes des autres :
on peut toutes les lancer en même temps. Chacune avance alors à son rythme,
enchaîne sa seconde étape dès que la première est finie, et le tout ne dure
que le temps de la chaîne la plus longue, et non la somme de toutes les
attentes.

C'est l'exemple d'enchaînement de la section « Exemples » du cours
(`fetch_user` puis `fetch_posts` pour chaque utilisateur, tous les
utilisateurs à la fois : environ 2.7 s au lieu de 7.6 s), avec
`asyncio.gather` de « Les outils principaux ».

Ce qui est donné
----------------
- `DELAIS_UTILISATEUR = {1: 1.0, 2: 1.5, 3: 0.5}` et
  `DELAIS_ARTICLES = {"alice": 1.4, "bob": 1.2, "charlie": 2.0}` : les
  délais, en secondes, lus au moment de chaque appel.
- `NOMS = {1: "alice", 2: "bob", 3: "charlie"}`.
- `async def fetch_user(user_id: int) -> str` : attend
  `DELAIS_UTILISATEUR[user_id]` secondes (avec `asyncio.sleep`) et renvoie
  `NOMS[user_id]`.
- `async def fetch_posts(user: str) -> list[str]` : attend
  `DELAIS_ARTICLES[user]` secondes et renvoie
  `["{user} : article 1", "{user} : article 2"]`.
Ne modifiez pas ces éléments. Vos fonctions appellent `fetch_user` et
`fetch_posts` et se servent de ce qu'elles renvoient : le correcteur les
remplace par les siennes, avec d'autres délais, d'autres noms et d'autres
articles.

Ce qu'il faut écrire
--------------------
1. `async def chaine(user_id: int) -> tuple[str, list[str]]`
   Attend `fetch_user(user_id)`, puis `fetch_posts(user)` avec le nom que
   `fetch_user` a renvoyé. Au moment où la chaîne se termine, affiche
       {user} : {n} articles ({duree:.2f}s)
   où `n` est le nombre d'articles reçus et `duree` le temps écoulé depuis
   le début de la chaîne, mesuré avec `time.perf_counter()`. Renvoie
   `(user, posts)`.

2. `async def toutes_les_chaines(user_ids: list[int]) -> tuple[dict[str, list[str]], float]`
   Lance toutes les chaînes en même temps (`asyncio.gather`), une par
   identifiant de `user_ids`. Mesure la durée totale avec
   `time.perf_counter()`, puis affiche
       Temps total : {total:.2f}s
   Renvoie `(articles, total)`, `articles` étant le dictionnaire
   `{user: posts}` dont les clés sont dans l'ordre de `user_ids`. Avec une
   liste vide, il n'y a aucune chaîne : seule la ligne du temps total
   s'affiche.

3. `async def main()`
   Appelle `toutes_les_chaines([1, 2, 3])`.

Exemple d'exécution
-------------------
    $ python -m exercises.ex6_chainage
    alice : 2 articles (2.40s)
    charlie : 2 articles (2.50s)
    bob : 2 articles (2.70s)
    Temps total : 2.70s

Les trois chaînes durent 1.0 + 1.4 = 2.4 s (alice), 1.5 + 1.2 = 2.7 s (bob)
et 0.5 + 2.0 = 2.5 s (charlie). Lancées ensemble, elles commencent toutes à
0 s, et chaque ligne s'affiche au moment où sa chaîne se termine : alice à
2.4 s, charlie à 2.5 s, bob à 2.7 s. Le total est celui de la chaîne la plus
longue, 2.7 s, et non la somme des six attentes, 7.6 s.

Outils pratiqués
----------------
`async def`, `await`, `asyncio.gather`, `asyncio.run`, `time.perf_counter`.

Lancer et vérifier
------------------
    python -m exercises.ex6_chainage            (exécution réelle)
    nox -s grade -- --only ex6_chainage         (correction automatique)
"""

import asyncio
from time import perf_counter

DELAIS_UTILISATEUR: dict[int, float] = {1: 1.0, 2: 1.5, 3: 0.5}
DELAIS_ARTICLES: dict[str, float] = {"alice": 1.4, "bob": 1.2, "charlie": 2.0}
NOMS = {1: "alice", 2: "bob", 3: "charlie"}


async def fetch_user(user_id: int) -> str:
    """Donné : attend DELAIS_UTILISATEUR[user_id] secondes, renvoie le nom de l'utilisateur."""
    await asyncio.sleep(DELAIS_UTILISATEUR[user_id])
    return NOMS[user_id]


async def fetch_posts(user: str) -> list[str]:
    """Donné : attend DELAIS_ARTICLES[user] secondes, renvoie les articles de l'utilisateur."""
    await asyncio.sleep(DELAIS_ARTICLES[user])
    return [f"{user} : article {i}" for i in range(1, 3)]


async def chaine(user_id: int) -> tuple[str, list[str]]:
    """Le nom de l'utilisateur, puis ses articles."""
    debut = perf_counter()
    posts = await fetch_posts(user := await fetch_user(user_id))
    print(f"{user} : {len(posts)} articles ({perf_counter() - debut:.2f}s)")
    return (user, posts)


async def toutes_les_chaines(user_ids: list[int]) -> tuple[dict[str, list[str]], float]:
    """Une tâche par chaîne, toutes créées avant d'en attendre une."""
    debut = perf_counter()
    taches = [asyncio.create_task(chaine(user_id)) for user_id in user_ids]
    articles: dict[str, list[str]] = {}
    for tache in taches:
        user, posts = await tache
        articles[user] = posts
    total = perf_counter() - debut
    print(f"Temps total : {total:.2f}s")
    return articles, total


async def main() -> None:
    """Les chaînes des trois utilisateurs de l'exemple, toutes à la fois."""
    await toutes_les_chaines([1, 2, 3])


if __name__ == "__main__":
    asyncio.run(main())
