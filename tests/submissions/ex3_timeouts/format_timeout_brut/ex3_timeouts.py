"""Timeout affiché tel quel dans l'avertissement, {timeout} au lieu de {timeout:.1f} : un timeout de 2 s'affiche « 2s »."""

import asyncio
import math

SERVEURS: dict[str, float | None] = {
    "serveur_A": 0.5,
    "serveur_B": 1.5,
    "serveur_C": 3.0,
    "serveur_D": None,  # ne répond jamais
}
TIMEOUT = 2.0


async def interroger_serveur(nom: str, delai: float | None) -> str:
    """Simule l'appel au serveur `nom` : répond `f"{nom} : OK"` au bout de `delai` secondes."""
    if delai is None:
        # Un serveur muet : une attente infinie ne réveille jamais la coroutine et ne
        # consomme rien ; seul wait_for viendra l'annuler.
        delai = math.inf
    # asyncio.sleep suspend seulement cette coroutine : les autres serveurs avancent.
    await asyncio.sleep(delai)
    return f"{nom} : OK"


async def interroger_tous(
    serveurs: dict[str, float | None] = SERVEURS, timeout: float = TIMEOUT
) -> tuple[list[str], list[str]]:
    """Interroge tous les serveurs en même temps, chacun limité à `timeout` secondes."""

    async def interroger_avec_limite(nom: str, delai: float | None) -> tuple[str, bool]:
        # wait_for annule l'appel en retard : à la sortie, plus rien ne tourne pour ce serveur.
        try:
            await asyncio.wait_for(interroger_serveur(nom, delai), timeout)
        except TimeoutError:
            # Affiché ici, au moment même du timeout, et non une fois tout terminé.
            print(f"Attention : {nom} n'a pas répondu en {timeout}s")
            return nom, False
        return nom, True

    # gather lance tous les appels ensemble et rend les résultats dans l'ordre de `serveurs`.
    resultats = await asyncio.gather(
        *(interroger_avec_limite(nom, delai) for nom, delai in serveurs.items())
    )
    ont_repondu = [nom for nom, a_repondu in resultats if a_repondu]
    en_timeout = [nom for nom, a_repondu in resultats if not a_repondu]

    print(
        f"Résumé : {len(ont_repondu)} ont répondu ({', '.join(ont_repondu)}) / "
        f"{len(en_timeout)} en timeout ({', '.join(en_timeout)})"
    )
    return ont_repondu, en_timeout


async def main() -> None:
    """Interroge les serveurs de SERVEURS avec le timeout TIMEOUT."""
    # Sans argument : les valeurs par défaut SERVEURS et TIMEOUT.
    await interroger_tous()


if __name__ == "__main__":
    asyncio.run(main())
