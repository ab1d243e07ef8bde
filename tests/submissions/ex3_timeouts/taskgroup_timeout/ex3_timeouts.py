"""Correct, écrit avec asyncio.TaskGroup et asyncio.timeout ; un serveur muet attend un Event."""

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
        # Personne ne déclenchera cet événement : le serveur ne répond jamais.
        await asyncio.Event().wait()
    else:
        await asyncio.sleep(delai)
    return f"{nom} : OK"


async def interroger_tous(
    serveurs: dict[str, float | None] = SERVEURS, timeout: float = TIMEOUT
) -> tuple[list[str], list[str]]:
    a_repondu: dict[str, bool] = {}

    async def un_serveur(nom: str, delai: float | None) -> None:
        try:
            async with asyncio.timeout(timeout):
                await interroger_serveur(nom, delai)
        except TimeoutError:
            print(f"Attention : {nom} n'a pas répondu en {timeout:.1f}s")
            a_repondu[nom] = False
        else:
            a_repondu[nom] = True

    async with asyncio.TaskGroup() as groupe:
        for nom, delai in serveurs.items():
            groupe.create_task(un_serveur(nom, delai))

    ont_repondu = [nom for nom in serveurs if a_repondu[nom]]
    en_timeout = [nom for nom in serveurs if not a_repondu[nom]]
    print(
        f"Résumé : {len(ont_repondu)} ont répondu ({', '.join(ont_repondu)}) / "
        f"{len(en_timeout)} en timeout ({', '.join(en_timeout)})"
    )
    return ont_repondu, en_timeout


async def main() -> None:
    await interroger_tous()


if __name__ == "__main__":
    asyncio.run(main())
