"""Exercice 3 — Timeout sur des tâches réseau

Objectif
--------
On interroge plusieurs serveurs en même temps. Certains répondent vite,
d'autres trop lentement, et l'un d'eux ne répond jamais. Le programme ne
doit pas rester bloqué à les attendre : chaque appel a un délai maximal
(un « timeout »). Un serveur qui ne répond pas dans ce délai est abandonné
— son appel est annulé — et l'on continue avec les autres. À la fin, on
affiche un résumé : qui a répondu, qui est tombé en timeout.

Comme tous les appels partent en même temps, le programme dure autant que
le serveur le plus lent à répondre, sans jamais dépasser le timeout :
`min(délai le plus long, timeout)`.

C'est la section « Les outils principaux » du cours : `asyncio.wait_for`
attend une coroutine au plus `timeout` secondes ; passé ce délai, il annule
la tâche en retard et lève `TimeoutError` (le même objet que
`asyncio.TimeoutError` depuis Python 3.11). `asyncio.gather` lance
plusieurs coroutines en même temps.

Ce qui est donné
----------------
- `SERVEURS` : le délai de réponse (en secondes) de chaque serveur ;
  `None` veut dire que le serveur ne répond jamais. Ne le modifiez pas.
- `TIMEOUT = 2.0` : le délai maximal accordé à chaque serveur.

Ce qu'il faut écrire
--------------------
1. `async def interroger_serveur(nom: str, delai: float | None) -> str`
   Simule l'appel au serveur `nom` : attend `delai` secondes sans bloquer le
   programme (avec `await asyncio.sleep(...)`, surtout pas `time.sleep`),
   puis renvoie la chaîne `f"{nom} : OK"`.
   Si `delai` vaut `None`, le serveur ne répond jamais : la coroutine ne
   renvoie jamais rien. Elle attend pour toujours sans occuper le
   processeur, par exemple avec `await asyncio.sleep(math.inf)` (une boucle
   `while True` qui tourne sans fin gaspillerait le processeur).

2. `async def interroger_tous(serveurs=SERVEURS, timeout=TIMEOUT) -> tuple[list[str], list[str]]`
   `serveurs` associe à chaque nom de serveur son délai, par exemple
   `{"alpha": 0.4, "beta": None}`. Utilisez toujours les arguments reçus
   (`serveurs` et `timeout`), jamais directement `SERVEURS` ou `TIMEOUT`.
   a. Interrogez TOUS les serveurs en même temps (par exemple avec
      `asyncio.gather`), chaque appel étant limité par
      `asyncio.wait_for(interroger_serveur(nom, delai), timeout)`.
      Astuce : écrivez une petite coroutine qui interroge un seul serveur
      sous `wait_for` et attrape `TimeoutError`.
   b. Quand un serveur dépasse le timeout, affichez à ce moment-là
          Attention : {nom} n'a pas répondu en {timeout:.1f}s
      puis continuez avec les autres serveurs : un timeout n'arrête pas le
      programme.
   c. Quand tous les appels sont terminés (réponse ou timeout), affichez
          Résumé : {n} ont répondu ({noms}) / {m} en timeout ({noms})
      où `n` et `m` sont les nombres de serveurs de chaque groupe, et chaque
      `{noms}` la liste de leurs noms séparés par `, ` (virgule et espace),
      dans l'ordre du dictionnaire `serveurs`. Un groupe vide donne `0` et
      `()`.
   d. Renvoyez le couple `(ont_repondu, en_timeout)` : deux listes de noms,
      chacune dans l'ordre du dictionnaire `serveurs` (et non dans l'ordre
      où les réponses sont arrivées).
   Quand `interroger_tous` se termine, plus aucun appel ne doit tourner :
   ceux qui ont dépassé le timeout ont été annulés.

3. `async def main()`
   Appelle `await interroger_tous()` (sans argument : `SERVEURS` et
   `TIMEOUT`).

Exemple d'exécution
-------------------
    $ python -m exercises.ex3_timeouts
    Attention : serveur_C n'a pas répondu en 2.0s
    Attention : serveur_D n'a pas répondu en 2.0s
    Résumé : 2 ont répondu (serveur_A, serveur_B) / 2 en timeout (serveur_C, serveur_D)

serveur_A répond au bout de 0.5 s et serveur_B au bout de 1.5 s. À 2.0 s,
serveur_C (qui aurait mis 3.0 s) et serveur_D (qui ne répond jamais) sont
abandonnés : les deux avertissements s'affichent à cet instant, puis le
résumé. Le programme dure 2.0 s, pas 0.5 + 1.5 + 2.0 + 2.0 = 6.0 s.

On appelle ainsi `interroger_tous` avec ses propres serveurs :
    asyncio.run(interroger_tous({"alpha": 0.4, "beta": None, "gamma": 0.9}, timeout=1.0))
qui affiche, au bout de 1.0 s,
`Attention : beta n'a pas répondu en 1.0s`, puis
`Résumé : 2 ont répondu (alpha, gamma) / 1 en timeout (beta)`, et renvoie
`(["alpha", "gamma"], ["beta"])`.

Outils pratiqués
----------------
`async def` / `await`, `asyncio.sleep`, `asyncio.wait_for`,
`asyncio.gather`, `TimeoutError` (`try` / `except`), `asyncio.run`.

Lancer et vérifier
------------------
    python -m exercises.ex3_timeouts          (exécution réelle)
    nox -s grade -- --only ex3_timeouts       (correction automatique)
"""

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
            print(f"Attention : {nom} n'a pas répondu en {timeout:.1f}s")
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
