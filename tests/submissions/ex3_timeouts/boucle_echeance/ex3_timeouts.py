"""Correct, écrit avec une échéance commune : asyncio.wait(timeout=limite - time.perf_counter()) en boucle."""

import asyncio
import time

SERVEURS: dict[str, float | None] = {
    "serveur_A": 0.5,
    "serveur_B": 1.5,
    "serveur_C": 3.0,
    "serveur_D": None,  # ne répond jamais
}
TIMEOUT = 2.0


async def interroger_serveur(nom: str, delai: float | None) -> str:
    if delai is None:
        await asyncio.Event().wait()
    await asyncio.sleep(delai)
    return f"{nom} : OK"


async def interroger_tous(serveurs=SERVEURS, timeout=TIMEOUT):
    # Une échéance commune, recalculée à chaque tour : ce qui reste avant elle.
    limite = time.perf_counter() + timeout
    taches = {asyncio.create_task(interroger_serveur(n, d)): n for n, d in serveurs.items()}
    repondu = {}
    en_cours = set(taches)
    while en_cours:
        reste = limite - time.perf_counter()
        if reste <= 0:
            break
        finies, en_cours = await asyncio.wait(
            en_cours, timeout=reste, return_when=asyncio.FIRST_COMPLETED
        )
        for tache in finies:
            repondu[taches[tache]] = True
    for tache in en_cours:
        tache.cancel()
    await asyncio.gather(*en_cours, return_exceptions=True)
    for nom in serveurs:
        if nom not in repondu:
            print(f"Attention : {nom} n'a pas répondu en {timeout:.1f}s")
    ont_repondu = [nom for nom in serveurs if nom in repondu]
    en_timeout = [nom for nom in serveurs if nom not in repondu]
    print(
        f"Résumé : {len(ont_repondu)} ont répondu ({', '.join(ont_repondu)}) / "
        f"{len(en_timeout)} en timeout ({', '.join(en_timeout)})"
    )
    return ont_repondu, en_timeout


async def main():
    await interroger_tous()


if __name__ == "__main__":
    asyncio.run(main())
