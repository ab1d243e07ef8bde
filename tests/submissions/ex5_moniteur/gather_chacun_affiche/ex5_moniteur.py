"""Correct : asyncio.gather de coroutines qui affichent chacune leur résultat, durée mesurée avec perf_counter."""

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
    en_ligne: list[str] = []
    hors_ligne: list[str] = []
    debut = time.perf_counter()

    async def un_service(service: dict) -> None:
        try:
            await asyncio.wait_for(verifier(service), timeout=timeout)
            reponse = time.perf_counter() - debut
            print(f"[EN LIGNE]   {service['nom']} ({reponse:.2f}s)")
            en_ligne.append(service["nom"])
        except asyncio.TimeoutError:
            print(f"[HORS LIGNE] {service['nom']} (timeout après {timeout:.1f}s)")
            hors_ligne.append(service["nom"])
        except Exception as e:
            print(f"[HORS LIGNE] {service['nom']} (erreur : {e})")
            hors_ligne.append(service["nom"])

    await asyncio.gather(*[un_service(s) for s in services])
    duree = time.perf_counter() - debut
    print(f"Bilan : {len(en_ligne)} en ligne / {len(hors_ligne)} hors ligne — durée totale {duree:.2f}s")
    return {"en_ligne": en_ligne, "hors_ligne": hors_ligne, "duree": duree}


def main(argv: list[str] | None = None) -> int:
    """Point d'entrée : lit --timeout, lance surveiller, renvoie 0 si tout est en ligne, 1 sinon."""
    parser = argparse.ArgumentParser(description="Vérifie l'état des services.")
    parser.add_argument(
        "--timeout",
        type=float,
        default=TIMEOUT,
        metavar="SECONDES",
        help=f"temps maximal accordé à chaque vérification (défaut : {TIMEOUT})",
    )
    arguments = parser.parse_args(argv)
    # asyncio.run crée l'event loop, exécute la coroutine jusqu'au bout, puis le ferme.
    bilan = asyncio.run(surveiller(SERVICES, arguments.timeout))
    # Le code de sortie dit à un script de supervision si tout va bien : 0 oui, 1 non.
    return 0 if not bilan["hors_ligne"] else 1


if __name__ == "__main__":
    sys.exit(main())
