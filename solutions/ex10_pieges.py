"""Exercice 10 — Les pièges classiques

Objectif
--------
Un petit service répond à des requêtes : pour chaque utilisateur, il lit son
profil avec une bibliothèque synchrone (qui bloque), calcule un score (un
calcul lourd), puis écrit une ligne dans un journal. Écrit naïvement avec
`async def`, il tombe dans quatre pièges classiques, et il est plus lent
qu'un programme synchrone. Vous allez le corriger pour que l'event loop
reste libre : pendant qu'une requête attend, les autres avancent.

C'est la section « Les pièges classiques » du cours : un appel bloquant dans
une coroutine fige l'event loop, un calcul lourd se confie à un exécuteur
(`run_in_executor`), un `await` oublié ne fait rien qu'un avertissement
« was never awaited » ; avec « Quand utiliser asyncio ? » (bibliothèque
synchrone ou gros calcul : un exécuteur) et « Les outils principaux »
(`gather`, une tâche jamais attendue est annulée à la fermeture de la
boucle).

Ce qui est donné (ne le modifiez pas)
-------------------------------------
- `PROFILS` : la base des profils, par identifiant : le nom, les notes, et
  le temps (`"delai"`, en secondes) que met la lecture du profil.
  `REQUETES = [1, 2, 3]` : les identifiants de l'exemple.
  `DUREE_CALCUL = 0.5`, `DELAI_JOURNAL = 0.1` : en secondes.
- `def lire_profil_bloquant(user_id: int) -> dict` : lit le profil avec un
  client de base de données synchrone. Il BLOQUE `PROFILS[user_id]["delai"]`
  secondes (`time.sleep`), puis renvoie
  `{"id": user_id, "nom": ..., "notes": [...]}`.
- `def calculer_score(profil: dict) -> int` : un calcul lourd. Pour que
  l'exercice se corrige vite, son coût est simulé par
  `time.sleep(DUREE_CALCUL)` : comme un vrai calcul, il occupe le thread qui
  l'exécute sans jamais rendre la main à l'event loop. Renvoie la somme des
  carrés des notes.
- `async def journaliser(message: str) -> None` : attend `DELAI_JOURNAL`
  secondes sans bloquer (`asyncio.sleep`), puis affiche
  `[journal] {message}`.
- `async def main()` : sert `REQUETES` avec `servir`, mesure la durée avec
  `time.perf_counter()` et affiche `Scores : {scores} en {duree:.2f} s`.

Ces fonctions représentent des bibliothèques que vous ne pouvez pas
changer : c'est la façon de les appeler qu'il faut corriger. (Le correcteur
met ses propres versions de `lire_profil_bloquant` et de `calculer_score` à
leur place, avec d'autres durées et d'autres résultats.)

La version de départ, et ses quatre pièges
------------------------------------------
    async def traiter_requete(user_id):
        profil = lire_profil_bloquant(user_id)
        score = calculer_score(profil)
        journaliser(f"requête {user_id} : score {score}")
        return score

    async def servir(user_ids):
        scores = await asyncio.gather(*(traiter_requete(u) for u in user_ids))
        asyncio.create_task(journaliser(f"requêtes servies : {len(user_ids)}"))
        return scores

1. `lire_profil_bloquant` appelée dans la coroutine bloque l'event loop
   pendant toute la lecture : aucune autre requête n'avance.
2. `calculer_score` aussi : un calcul lourd sur l'event loop la fige.
3. `journaliser(...)` sans `await` ne fait rien : l'appel crée un objet
   coroutine qui n'est jamais exécuté, et Python prévient seulement
   « coroutine 'journaliser' was never awaited ».
4. La tâche du résumé, créée et jamais attendue, est annulée quand la boucle
   se ferme : sa ligne n'est jamais écrite.
Sur l'exemple, cette version met 3.20 s et n'écrit rien dans le journal.

Ce qu'il faut écrire
--------------------
1. `async def traiter_requete(user_id: int) -> int`
   a. Lisez le profil dans un thread, pour que l'event loop reste libre :
      `profil = await asyncio.to_thread(lire_profil_bloquant, user_id)`.
   b. Confiez le calcul à l'exécuteur par défaut de la boucle :
      `loop = asyncio.get_running_loop()` puis
      `score = await loop.run_in_executor(None, calculer_score, profil)`
      (ou, au choix, `asyncio.to_thread(calculer_score, profil)`).
   c. Écrivez dans le journal, en attendant vraiment la coroutine :
      `await journaliser(f"requête {user_id} : score {score}")`.
   d. Renvoyez le score.
   Chaque fonction donnée est appelée une fois ; ni `lire_profil_bloquant`
   ni `calculer_score` ne tourne sur le thread de l'event loop.

2. `async def servir(user_ids: list[int]) -> list[int]`
   Traite toutes les requêtes en même temps (`asyncio.gather`, ou un
   `asyncio.TaskGroup`) ; une fois qu'elles sont toutes finies, écrit le
   résumé avec `await journaliser(f"requêtes servies : {len(user_ids)}")` ;
   renvoie les scores dans l'ordre de `user_ids` (pas dans l'ordre où les
   requêtes finissent). Quand `servir` rend la main, plus aucune tâche ne
   tourne.

`to_thread` et `run_in_executor(None, ...)` utilisent le pool de threads par
défaut : c'est lui qu'on attend ici (les tests envoient au plus cinq
requêtes à la fois, qu'il traite toutes ensemble). Pour un vrai calcul en
Python pur, on prendrait un `ProcessPoolExecutor` (voir le cours) ; ici le
calcul est simulé, le pool de threads suffit, et le correcteur ne sait pas
suivre un calcul envoyé à un autre processus : il refuse un
`ProcessPoolExecutor` dans cet exercice.

Exemple d'exécution
-------------------
    $ python -m exercises.ex10_pieges
    [journal] requête 2 : score 373
    [journal] requête 3 : score 673
    [journal] requête 1 : score 450
    [journal] requêtes servies : 3
    Scores : [450, 373, 673] en 1.70 s

La requête de bob est servie à 0.8 s (lecture 0.2 s, calcul 0.5 s, journal
0.1 s) pendant que la lecture d'alice (1.0 s) attend encore. Le tout dure
la requête la plus longue (alice, 1.6 s) plus le résumé (0.1 s), au lieu
des 3.60 s de trois requêtes l'une après l'autre (en exécution réelle, à
un centième près). Les scores restent dans l'ordre des identifiants, 1, 2,
3.

Outils pratiqués
----------------
`asyncio.to_thread`, `asyncio.get_running_loop`, `loop.run_in_executor`,
`await`, `asyncio.gather` (ou `asyncio.TaskGroup`).

Lancer et vérifier
------------------
    python -m exercises.ex10_pieges                 (exécution réelle)
    nox -s grade -- --only ex10_pieges               (correction automatique)
"""

import asyncio
import time

PROFILS: dict[int, dict] = {
    1: {"nom": "alice", "notes": [12, 15, 9], "delai": 1.0},
    2: {"nom": "bob", "notes": [7, 18], "delai": 0.2},
    3: {"nom": "chloé", "notes": [14, 11, 16, 10], "delai": 0.5},
}
REQUETES = [1, 2, 3]
DUREE_CALCUL = 0.5
DELAI_JOURNAL = 0.1


def lire_profil_bloquant(user_id: int) -> dict:
    """Lit un profil avec un client synchrone : bloque le thread pendant la lecture."""
    profil = PROFILS[user_id]
    time.sleep(profil["delai"])
    return {"id": user_id, "nom": profil["nom"], "notes": list(profil["notes"])}


def calculer_score(profil: dict) -> int:
    """Un calcul lourd : occupe le thread qui l'exécute pendant DUREE_CALCUL secondes."""
    time.sleep(DUREE_CALCUL)  # simule le temps de processeur du calcul
    return sum(n * n for n in profil["notes"])


async def journaliser(message: str) -> None:
    """Écrit une ligne dans le journal, sans bloquer."""
    await asyncio.sleep(DELAI_JOURNAL)
    print(f"[journal] {message}")


async def traiter_requete(user_id: int) -> int:
    """Lit le profil, calcule le score et l'écrit au journal sans jamais bloquer l'event loop."""
    # La lecture bloquante part dans un thread : l'event loop sert les autres requêtes.
    profil = await asyncio.to_thread(lire_profil_bloquant, user_id)
    # Le calcul lourd aussi, dans l'exécuteur par défaut de la boucle.
    loop = asyncio.get_running_loop()
    score = await loop.run_in_executor(None, calculer_score, profil)
    # Sans await, journaliser(...) ne serait qu'un objet coroutine jamais exécuté.
    await journaliser(f"requête {user_id} : score {score}")
    return score


async def servir(user_ids: list[int]) -> list[int]:
    """Traite toutes les requêtes en même temps ; les scores dans l'ordre de user_ids."""
    scores = await asyncio.gather(*(traiter_requete(u) for u in user_ids))
    # Attendu ici, le résumé est écrit avant que servir rende la main.
    await journaliser(f"requêtes servies : {len(user_ids)}")
    return list(scores)


async def main() -> None:
    """Sert les requêtes de l'exemple et affiche les scores avec la durée totale."""
    debut = time.perf_counter()
    scores = await servir(REQUETES)
    duree = time.perf_counter() - debut
    print(f"Scores : {scores} en {duree:.2f} s")


if __name__ == "__main__":
    asyncio.run(main())
