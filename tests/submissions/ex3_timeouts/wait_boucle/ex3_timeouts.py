"""Correct, écrit avec une boucle asyncio.wait(FIRST_COMPLETED) ; affiche aussi chaque réponse."""

import asyncio

SERVEURS: dict[str, float | None] = {
    "serveur_A": 0.5,
    "serveur_B": 1.5,
    "serveur_C": 3.0,
    "serveur_D": None,  # ne répond jamais
}
TIMEOUT = 2.0


async def interroger_serveur(nom: str, delai: float | None) -> str:
    if delai is None:
        # Un Future que personne ne complète : attente sans fin.
        await asyncio.get_running_loop().create_future()
    await asyncio.sleep(delai)
    return f"{nom} : OK"


async def interroger_tous(serveurs=SERVEURS, timeout=TIMEOUT):
    taches = {
        asyncio.create_task(asyncio.wait_for(interroger_serveur(nom, delai), timeout)): nom
        for nom, delai in serveurs.items()
    }
    repondu = {}
    en_cours = set(taches)
    while en_cours:
        finies, en_cours = await asyncio.wait(en_cours, return_when=asyncio.FIRST_COMPLETED)
        for tache in finies:
            nom = taches[tache]
            if isinstance(tache.exception(), asyncio.TimeoutError):
                print(f"Attention : {nom} n'a pas répondu en {timeout:.1f}s")
                repondu[nom] = False
            else:
                print(tache.result())
                repondu[nom] = True

    ont_repondu = [nom for nom in serveurs if repondu[nom]]
    en_timeout = [nom for nom in serveurs if not repondu[nom]]
    print(
        "Résumé : %d ont répondu (%s) / %d en timeout (%s)"
        % (len(ont_repondu), ", ".join(ont_repondu), len(en_timeout), ", ".join(en_timeout))
    )
    return ont_repondu, en_timeout


async def main():
    await interroger_tous()


if __name__ == "__main__":
    asyncio.run(main())
