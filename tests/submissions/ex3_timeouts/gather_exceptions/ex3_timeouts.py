"""Correct : gather(..., return_exceptions=True) sur les wait_for, puis tri des résultats."""

import asyncio
import math

SERVEURS: dict[str, float | None] = {
    "serveur_A": 0.5,
    "serveur_B": 1.5,
    "serveur_C": 3.0,
    "serveur_D": None,
}
TIMEOUT = 2.0


async def interroger_serveur(nom: str, delai: float | None) -> str:
    await asyncio.sleep(math.inf if delai is None else delai)
    return f"{nom} : OK"


async def interroger_tous(
    serveurs: dict[str, float | None] = SERVEURS, timeout: float = TIMEOUT
) -> tuple[list[str], list[str]]:
    # Tous les appels finissent au plus tard au timeout : c'est aussi l'instant où
    # gather rend la main, donc les avertissements sortent à ce moment-là.
    resultats = await asyncio.gather(
        *(asyncio.wait_for(interroger_serveur(nom, d), timeout) for nom, d in serveurs.items()),
        return_exceptions=True,
    )
    ont_repondu: list[str] = []
    en_timeout: list[str] = []
    for nom, resultat in zip(serveurs, resultats):
        if isinstance(resultat, TimeoutError):
            print(f"Attention : {nom} n'a pas répondu en {timeout:.1f}s")
            en_timeout.append(nom)
        else:
            ont_repondu.append(nom)
    print(
        f"Résumé : {len(ont_repondu)} ont répondu ({', '.join(ont_repondu)}) / "
        f"{len(en_timeout)} en timeout ({', '.join(en_timeout)})"
    )
    return ont_repondu, en_timeout


async def main() -> None:
    await interroger_tous()


if __name__ == "__main__":
    asyncio.run(main())
