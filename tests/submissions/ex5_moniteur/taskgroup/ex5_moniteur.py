"""Correct : asyncio.TaskGroup et asyncio.timeout, chaque tâche affiche son propre résultat."""

import argparse
import asyncio
import sys
from time import perf_counter

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
    debut = perf_counter()
    en_ligne = []
    hors_ligne = []

    async def controler(service: dict) -> None:
        nom = service["nom"]
        try:
            async with asyncio.timeout(timeout):
                duree = await verifier(service)
        except TimeoutError:
            print(f"[HORS LIGNE] {nom} (timeout après {timeout:.1f}s)")
            hors_ligne.append(nom)
        except ConnectionError as erreur:
            print(f"[HORS LIGNE] {nom} (erreur : {erreur})")
            hors_ligne.append(nom)
        else:
            print(f"[EN LIGNE]   {nom} ({duree:.2f}s)")
            en_ligne.append(nom)

    async with asyncio.TaskGroup() as groupe:
        for service in services:
            groupe.create_task(controler(service))

    total = perf_counter() - debut
    print(f"Bilan : {len(en_ligne)} en ligne / {len(hors_ligne)} hors ligne — durée totale {total:.2f}s")
    return {"en_ligne": en_ligne, "hors_ligne": hors_ligne, "duree": total}


def main(argv: list[str] | None = None) -> int:
    """Point d'entrée : lit --timeout, lance surveiller, renvoie 0 si tout est en ligne, 1 sinon."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=TIMEOUT)
    timeout = parser.parse_args(argv).timeout
    bilan = asyncio.run(surveiller(timeout=timeout))
    if bilan["hors_ligne"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
