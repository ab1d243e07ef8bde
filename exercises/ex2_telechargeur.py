"""Exercice 2 — Téléchargeur concurrent avec progression

Objectif
--------
On simule le téléchargement de plusieurs fichiers. Chaque téléchargement est
une attente (on ne touche pas au réseau). Les téléchargements doivent se
faire tous en même temps, et l'on veut voir la progression : une ligne
s'affiche dès qu'un fichier est terminé, dans l'ordre où ils se terminent
(et non dans l'ordre où on les a lancés). Le programme entier dure donc
autant que le téléchargement le plus long, pas la somme de tous.

C'est la section « Les outils principaux » du cours : `asyncio.create_task`
lance une tâche tout de suite, `asyncio.as_completed` donne les résultats
dans l'ordre où ils arrivent.

Ce qui est donné
----------------
- `FICHIERS` : la liste des noms de fichiers, de `fichier_1.zip` à
  `fichier_5.zip`. Ne la modifiez pas.

Ce qu'il faut écrire
--------------------
1. `async def telecharger(nom: str, duree: float) -> tuple[str, float]`
   Simule un téléchargement : attend `duree` secondes sans bloquer le
   programme (avec `await asyncio.sleep(...)`, surtout pas `time.sleep`),
   puis renvoie le couple `(nom, duree)`.

2. `async def telecharger_tout(durees: dict[str, float] | None = None) -> tuple[float, str]`
   `durees` associe à chaque nom de fichier la durée de son téléchargement,
   par exemple `{"a.zip": 1.5, "b.zip": 0.7}`.
   a. Si `durees` vaut `None`, tirez une durée avec `random.uniform(1, 5)`
      pour chaque nom de `FICHIERS`, dans l'ordre de la liste.
   b. Affichez `Début des téléchargements...` et notez l'instant de départ
      avec `time.perf_counter()`.
   c. Lancez TOUS les téléchargements tout de suite : une tâche
      `asyncio.create_task(telecharger(nom, duree))` par fichier.
   d. Parcourez les tâches avec `asyncio.as_completed` : au moment où un
      téléchargement se termine, affichez
          {nom} terminé ({duree:.1f}s)
      (pas à la fin, tous d'un coup : au moment même où il se termine).
   e. Quand tout est fini, mesurez le temps total avec `time.perf_counter()`
      et affichez
          Temps total : {total:.1f}s — fichier le plus lent : {nom}
      Le fichier le plus lent est celui dont le téléchargement dure le plus
      longtemps. Renvoyez le couple `(total, nom_le_plus_lent)`.

3. `async def main()`
   Appelle `await telecharger_tout()` (sans argument : durées tirées au
   hasard).

Exemple d'exécution
-------------------
    $ python -m exercises.ex2_telechargeur
    Début des téléchargements...
    fichier_2.zip terminé (1.4s)
    fichier_4.zip terminé (2.1s)
    fichier_1.zip terminé (3.2s)
    fichier_5.zip terminé (3.9s)
    fichier_3.zip terminé (4.7s)
    Temps total : 4.7s — fichier le plus lent : fichier_3.zip

Les durées sont tirées au hasard : vos chiffres seront différents. Mais les
lignes suivent toujours l'ordre des durées, chacune apparaît au bout de sa
durée, et le temps total est celui du plus long téléchargement (ici 4.7 s,
pas 3.2 + 1.4 + 4.7 + 2.1 + 3.9 = 15.3 s).

On appelle ainsi `telecharger_tout` avec ses propres durées :
    asyncio.run(telecharger_tout({"a.zip": 1.5, "b.zip": 0.7}))
qui affiche `b.zip terminé (0.7s)`, puis `a.zip terminé (1.5s)`, puis
`Temps total : 1.5s — fichier le plus lent : a.zip`, et renvoie à peu près
`(1.5, "a.zip")`.

Outils pratiqués
----------------
`async def` / `await`, `asyncio.sleep`, `asyncio.create_task`,
`asyncio.as_completed`, `asyncio.run`, `time.perf_counter`, `random.uniform`.

Lancer et vérifier
------------------
    python -m exercises.ex2_telechargeur          (exécution réelle)
    nox -s grade -- --only ex2_telechargeur       (correction automatique)
"""

import asyncio
import random  # noqa: F401  (sert dans telecharger_tout)
import time  # noqa: F401  (sert dans telecharger_tout)

FICHIERS = [f"fichier_{i}.zip" for i in range(1, 6)]


async def telecharger(nom: str, duree: float) -> tuple[str, float]:
    """Simule le téléchargement de `nom` : attend `duree` secondes, renvoie (nom, duree)."""
    # TODO étape 1 : attendre `duree` secondes sans bloquer les autres tâches,
    # puis renvoyer (nom, duree).
    raise NotImplementedError("À compléter")


async def telecharger_tout(durees: dict[str, float] | None = None) -> tuple[float, str]:
    """Télécharge tous les fichiers en même temps et affiche chacun dès qu'il est fini."""
    # TODO étape 2 : tirer les durées si `durees` vaut None, afficher le début,
    # lancer une tâche par fichier, afficher chaque fichier dès qu'il est terminé,
    # puis afficher et renvoyer (temps total, nom du fichier le plus lent).
    raise NotImplementedError("À compléter")


async def main() -> None:
    """Lance les téléchargements de FICHIERS avec des durées tirées au hasard."""
    # TODO étape 3 : appeler telecharger_tout sans argument.
    raise NotImplementedError("À compléter")


if __name__ == "__main__":
    asyncio.run(main())
