"""Durée affichée telle quelle, {duree} au lieu de {duree:.1f} : 2 s'affiche « 2s », 1.25 « 1.25s »."""

import asyncio
import random
import time

FICHIERS = [f"fichier_{i}.zip" for i in range(1, 6)]


async def telecharger(nom: str, duree: float) -> tuple[str, float]:
    """Simule le téléchargement de `nom` : attend `duree` secondes, renvoie (nom, duree)."""
    # asyncio.sleep suspend seulement cette coroutine : les autres avancent pendant ce temps.
    await asyncio.sleep(duree)
    return nom, duree


async def telecharger_tout(durees: dict[str, float] | None = None) -> tuple[float, str]:
    """Télécharge tous les fichiers en même temps et affiche chacun dès qu'il est fini."""
    # Un tirage par fichier, dans l'ordre de FICHIERS : random.seed rend l'exécution reproductible.
    if durees is None:
        durees = {nom: random.uniform(1, 5) for nom in FICHIERS}

    print("Début des téléchargements...")
    debut = time.perf_counter()

    # create_task démarre chaque téléchargement maintenant, sans attendre les autres.
    taches = [asyncio.create_task(telecharger(nom, duree)) for nom, duree in durees.items()]

    # as_completed rend les résultats dans l'ordre où ils arrivent : on affiche au fil de l'eau.
    nom_le_plus_lent = ""
    for prochaine in asyncio.as_completed(taches):
        nom, duree = await prochaine
        print(f"{nom} terminé ({duree}s)")
        # Le dernier à se terminer est le plus long, puisqu'ils ont tous démarré ensemble.
        nom_le_plus_lent = nom

    total = time.perf_counter() - debut
    print(f"Temps total : {total:.1f}s — fichier le plus lent : {nom_le_plus_lent}")
    return total, nom_le_plus_lent


async def main() -> None:
    """Lance les téléchargements de FICHIERS avec des durées tirées au hasard."""
    # Sans argument : les durées sont tirées avec random.uniform(1, 5).
    await telecharger_tout()


if __name__ == "__main__":
    asyncio.run(main())
