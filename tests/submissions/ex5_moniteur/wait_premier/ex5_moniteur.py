"""Correct : une boucle asyncio.wait(FIRST_COMPLETED) sur des tâches wait_for, exceptions lues sur la tâche."""

import argparse
import asyncio
import sys
import time

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
    debut = time.perf_counter()
    noms = {}
    for service in services:
        tache = asyncio.create_task(asyncio.wait_for(verifier(service), timeout))
        noms[tache] = service["nom"]

    resultat = {"en_ligne": [], "hors_ligne": [], "duree": 0.0}
    en_cours = set(noms)
    while en_cours:
        finies, en_cours = await asyncio.wait(en_cours, return_when=asyncio.FIRST_COMPLETED)
        for tache in finies:
            nom = noms[tache]
            erreur = tache.exception()
            if erreur is None:
                print(f"[EN LIGNE]   {nom} ({tache.result():.2f}s)")
                resultat["en_ligne"].append(nom)
            elif isinstance(erreur, asyncio.TimeoutError):
                print(f"[HORS LIGNE] {nom} (timeout après {timeout:.1f}s)")
                resultat["hors_ligne"].append(nom)
            else:
                print(f"[HORS LIGNE] {nom} (erreur : {erreur})")
                resultat["hors_ligne"].append(nom)

    resultat["duree"] = time.perf_counter() - debut
    n, m = len(resultat["en_ligne"]), len(resultat["hors_ligne"])
    print(f"Bilan : {n} en ligne / {m} hors ligne — durée totale {resultat['duree']:.2f}s")
    return resultat


def main(argv: list[str] | None = None) -> int:
    """Point d'entrée : lit --timeout, lance surveiller, renvoie 0 si tout est en ligne, 1 sinon."""
    parser = argparse.ArgumentParser(prog="moniteur")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, metavar="SECONDES")
    options = parser.parse_args(argv)
    bilan = asyncio.run(surveiller(SERVICES, timeout=options.timeout))
    return int(len(bilan["hors_ligne"]) > 0)


if __name__ == "__main__":
    sys.exit(main())
