"""Correct : une tâche create_task par serveur, puis chaque tâche attendue dans l'ordre de serveurs."""

import asyncio

SERVEURS = {"serveur_A": 0.5, "serveur_B": 1.5, "serveur_C": 3.0, "serveur_D": None}
TIMEOUT = 2.0


async def interroger_serveur(nom, delai):
    await asyncio.sleep(float("inf") if delai is None else delai)
    return f"{nom} : OK"


async def interroger_tous(serveurs=SERVEURS, timeout=TIMEOUT):
    # Toutes les tâches partent maintenant ; les attendre ensuite une à une ne les retarde pas.
    taches = {
        nom: asyncio.create_task(asyncio.wait_for(interroger_serveur(nom, delai), timeout))
        for nom, delai in serveurs.items()
    }
    ont_repondu = []
    en_timeout = []
    for nom, tache in taches.items():
        try:
            await tache
            ont_repondu.append(nom)
        except asyncio.TimeoutError:
            print(f"Attention : {nom} n'a pas répondu en {timeout:.1f}s")
            en_timeout.append(nom)
    print(f"Résumé : {len(ont_repondu)} ont répondu ({', '.join(ont_repondu)}) / {len(en_timeout)} en timeout ({', '.join(en_timeout)})")
    return ont_repondu, en_timeout


async def main():
    await interroger_tous()


if __name__ == "__main__":
    asyncio.run(main())
