"""Timeout affiché tel quel, {timeout} au lieu de {timeout:.1f} : un timeout de 2 s'affiche « 2s »."""

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

    async def controler(service: dict) -> tuple[str, bool, str]:
        # Chaque issue (réponse, timeout, erreur) est rattrapée ici, dans la tâche du
        # service : une vérification qui échoue ne peut donc pas interrompre les autres.
        nom = service["nom"]
        try:
            # wait_for annule la vérification en retard : aucune tâche ne reste derrière.
            duree = await asyncio.wait_for(verifier(service), timeout)
        except TimeoutError:
            return nom, False, f"[HORS LIGNE] {nom} (timeout après {timeout}s)"
        except Exception as erreur:  # toute panne du service le met hors ligne, rien de plus
            return nom, False, f"[HORS LIGNE] {nom} (erreur : {erreur})"
        return nom, True, f"[EN LIGNE]   {nom} ({duree:.2f}s)"

    # create_task démarre toutes les vérifications maintenant, sans attendre les autres.
    taches = [asyncio.create_task(controler(service)) for service in services]

    # as_completed rend les résultats dans l'ordre où ils arrivent : on affiche au fil de l'eau.
    en_ligne: list[str] = []
    hors_ligne: list[str] = []
    for prochaine in asyncio.as_completed(taches):
        nom, ok, ligne = await prochaine
        print(ligne)
        (en_ligne if ok else hors_ligne).append(nom)

    total = time.perf_counter() - debut
    print(
        f"Bilan : {len(en_ligne)} en ligne / {len(hors_ligne)} hors ligne"
        f" — durée totale {total:.2f}s"
    )
    return {"en_ligne": en_ligne, "hors_ligne": hors_ligne, "duree": total}


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
