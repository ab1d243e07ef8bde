"""Exercice 9 — Exceptions de plusieurs coroutines

Objectif
--------
Un tableau de bord interroge plusieurs sources en même temps (météo, trafic,
bourse…). Certaines répondent, d'autres échouent, chacune avec sa propre
exception. Quand plusieurs coroutines tournent ensemble, que devient une
exception ? On l'étudie ici de quatre façons :

- `asyncio.gather(..., return_exceptions=True)` laisse chaque tâche aller
  jusqu'au bout et rend les exceptions comme des résultats ;
- `ExceptionGroup` réunit plusieurs exceptions en une seule ;
- `except*` traite, dans un groupe, chaque sorte d'exception une fois ;
- `asyncio.TaskGroup` annule les tâches encore en cours dès que l'une
  d'elles échoue.

C'est la section « Exceptions de plusieurs coroutines (3.11+) » du cours
(Python 3.11 ou plus récent), avec `asyncio.gather` de « Les outils
principaux ».

Ce qui est donné
----------------
- `ERREURS` : les trois sortes d'erreurs possibles, par leur nom :
  `{"ValueError": ValueError, "KeyError": KeyError, "ConnectionError": ConnectionError}`.
- `TACHES` : la liste des tâches de l'exemple. Chaque tâche est un
  dictionnaire avec un nom (`"nom"`), une durée en secondes (`"delai"`), et
  soit un résultat (`"resultat"`, une chaîne), soit le nom d'une erreur
  (`"erreur"`, une clé de `ERREURS`).
- `async def tache(t: dict) -> str` : exécute une tâche. Attend `t["delai"]`
  secondes ; si la tâche a une clé `"erreur"`, affiche
  `  {nom} en échec ({erreur})` puis lève cette erreur (par exemple
  `ValueError("bourse a échoué")`) ; sinon affiche
  `  {nom} terminée ({resultat})` et renvoie `t["resultat"]`. Une tâche
  annulée n'affiche rien.
Ne modifiez pas ces trois éléments. Chaque fonction à écrire reçoit une liste
de tâches (`TACHES` par défaut) et appelle `tache(t)` une fois pour chacune.

Ce qu'il faut écrire
--------------------
1. `async def collecter(taches: list[dict] = TACHES) -> dict[str, str]`
   Lance toutes les tâches en même temps avec
   `asyncio.gather(..., return_exceptions=True)` : une tâche qui échoue
   n'arrête pas les autres, et son exception arrive parmi les résultats.
   Renvoie un dictionnaire qui associe à chaque nom, dans l'ordre de
   `taches`, le résultat de la tâche, ou, si elle a échoué, le nom du type
   de son exception (`type(exc).__name__`, par exemple `"KeyError"`).

2. `async def tout_ou_rien(taches: list[dict] = TACHES) -> list[str]`
   Lance toutes les tâches en même temps comme `collecter` et attend
   qu'elles soient toutes finies. Si aucune n'a échoué, renvoie la liste de
   leurs résultats, dans l'ordre de `taches`. Sinon, lève
   `ExceptionGroup("des tâches ont échoué", [...])` avec toutes les
   exceptions des tâches en échec, dans l'ordre de `taches`, et rien d'autre
   (pas les résultats).

3. `async def rapport(taches: list[dict] = TACHES) -> dict[str, int]`
   Appelle `tout_ou_rien(taches)` et traite le groupe avec trois clauses
   `except*`, dans cet ordre : `except* ValueError`, `except* KeyError`,
   `except* ConnectionError`. Chaque clause ne s'exécute qu'une fois, avec
   un groupe qui contient toutes les exceptions de sa sorte
   (`groupe.exceptions`) ; elle affiche
       {sorte} : {n} échec(s)
   où `n` est le nombre de ces exceptions (par exemple
   `ValueError : 2 échec(s)`). Quand rien n'échoue, affiche `Aucun échec`
   (la clause `else` d'un `try`). Renvoie
   `{"ValueError": n1, "KeyError": n2, "ConnectionError": n3}`, dans cet
   ordre, avec `0` pour une sorte sans échec.

4. `async def avec_taskgroup(taches: list[dict] = TACHES) -> dict[str, str]`
   Lance chaque tâche avec `tg.create_task(tache(t))` dans un
   `async with asyncio.TaskGroup() as tg:`. Dès qu'une tâche échoue, le
   TaskGroup annule celles qui tournent encore, puis lève un
   `ExceptionGroup` : rattrapez-le (`except* Exception:`), puis regardez
   chaque tâche (`t.cancelled()`, `t.exception()`, `t.result()`). Renvoie un
   dictionnaire qui associe à chaque nom, dans l'ordre de `taches` : son
   résultat si elle a fini, le nom du type de son exception si elle a
   échoué, `"annulée"` si elle a été annulée. Elle se termine donc au moment
   du premier échec, et plus aucune tâche ne tourne quand elle rend la main.

Exemple d'exécution
-------------------
`main` (donnée) appelle les quatre fonctions sur `TACHES` et affiche ce
qu'elles rendent (un dictionnaire nom -> issue s'affiche `nom=issue, ...`) :

    $ python -m exercises.ex9_exceptions
    collecter :
      meteo terminée (soleil)
      bourse en échec (ValueError)
      agenda en échec (KeyError)
      courrier en échec (ValueError)
      trafic terminée (fluide)
    meteo=soleil, trafic=fluide, bourse=ValueError, agenda=KeyError, courrier=ValueError
    tout_ou_rien :
      meteo terminée (soleil)
      bourse en échec (ValueError)
      agenda en échec (KeyError)
      courrier en échec (ValueError)
      trafic terminée (fluide)
    ExceptionGroup : des tâches ont échoué (3 sub-exceptions)
    rapport :
      meteo terminée (soleil)
      bourse en échec (ValueError)
      agenda en échec (KeyError)
      courrier en échec (ValueError)
      trafic terminée (fluide)
    ValueError : 2 échec(s)
    KeyError : 1 échec(s)
    {'ValueError': 2, 'KeyError': 1, 'ConnectionError': 0}
    avec_taskgroup :
      meteo terminée (soleil)
      bourse en échec (ValueError)
    meteo=soleil, trafic=annulée, bourse=ValueError, agenda=annulée, courrier=annulée

`collecter`, `tout_ou_rien` et `rapport` durent chacune 0.5 s (la tâche la
plus longue, trafic), et non la somme des durées ; `avec_taskgroup` s'arrête
à 0.2 s, quand bourse échoue : trafic, agenda et courrier sont annulées avant
d'avoir fini.

Outils pratiqués
----------------
`asyncio.gather(..., return_exceptions=True)`, `isinstance`, `ExceptionGroup`,
`except*`, `try` / `else`, `asyncio.TaskGroup`, `Task.cancelled`,
`Task.exception`, `Task.result`.

Lancer et vérifier
------------------
    python -m exercises.ex9_exceptions                 (exécution réelle)
    nox -s grade -- --only ex9_exceptions               (correction automatique)
"""

import asyncio

ERREURS: dict[str, type[Exception]] = {
    "ValueError": ValueError,
    "KeyError": KeyError,
    "ConnectionError": ConnectionError,
}

TACHES = [
    {"nom": "meteo", "delai": 0.1, "resultat": "soleil"},
    {"nom": "trafic", "delai": 0.5, "resultat": "fluide"},
    {"nom": "bourse", "delai": 0.2, "erreur": "ValueError"},
    {"nom": "agenda", "delai": 0.3, "erreur": "KeyError"},
    {"nom": "courrier", "delai": 0.4, "erreur": "ValueError"},
]


async def tache(t: dict) -> str:
    """Attend le délai de la tâche, puis lève son erreur ou renvoie son résultat."""
    await asyncio.sleep(t["delai"])
    if "erreur" in t:
        print(f"  {t['nom']} en échec ({t['erreur']})")
        raise ERREURS[t["erreur"]](f"{t['nom']} a échoué")
    print(f"  {t['nom']} terminée ({t['resultat']})")
    return t["resultat"]


async def collecter(taches: list[dict] = TACHES) -> dict[str, str]:
    """Chaque nom avec son résultat ou le type de son exception ; toutes vont au bout."""
    # return_exceptions=True : une exception devient un résultat, les autres tâches continuent.
    resultats = await asyncio.gather(*(tache(t) for t in taches), return_exceptions=True)
    return {
        t["nom"]: type(r).__name__ if isinstance(r, BaseException) else r
        for t, r in zip(taches, resultats, strict=True)
    }


async def tout_ou_rien(taches: list[dict] = TACHES) -> list[str]:
    """Les résultats si tout réussit ; sinon un ExceptionGroup de tous les échecs."""
    resultats = await asyncio.gather(*(tache(t) for t in taches), return_exceptions=True)
    echecs = [r for r in resultats if isinstance(r, Exception)]
    if echecs:
        # Toutes les exceptions, et seulement elles, réunies en une seule.
        raise ExceptionGroup("des tâches ont échoué", echecs)
    return [r for r in resultats if not isinstance(r, BaseException)]


async def rapport(taches: list[dict] = TACHES) -> dict[str, int]:
    """Compte les échecs de chaque sorte, chacune traitée une fois par son except*."""
    comptes = {"ValueError": 0, "KeyError": 0, "ConnectionError": 0}
    try:
        await tout_ou_rien(taches)
    # Chaque clause reçoit, en une fois, le sous-groupe de toutes les exceptions de sa sorte.
    except* ValueError as groupe:
        comptes["ValueError"] = len(groupe.exceptions)
        print(f"ValueError : {comptes['ValueError']} échec(s)")
    except* KeyError as groupe:
        comptes["KeyError"] = len(groupe.exceptions)
        print(f"KeyError : {comptes['KeyError']} échec(s)")
    except* ConnectionError as groupe:
        comptes["ConnectionError"] = len(groupe.exceptions)
        print(f"ConnectionError : {comptes['ConnectionError']} échec(s)")
    else:
        print("Aucun échec")
    return comptes


async def avec_taskgroup(taches: list[dict] = TACHES) -> dict[str, str]:
    """Chaque nom avec son résultat, son exception ou « annulée » : le premier échec arrête tout."""
    lancees: list[asyncio.Task[str]] = []

    async def protegee(t: dict) -> str:
        # Chaque tâche garde son erreur pour elle : le TaskGroup ne voit rien échouer.
        try:
            return await tache(t)
        except Exception as exc:
            return type(exc).__name__

    try:
        async with asyncio.TaskGroup() as tg:
            for t in taches:
                lancees.append(tg.create_task(protegee(t)))
    except* Exception:
        # Le TaskGroup a déjà annulé les tâches en cours et attendu leur fin :
        # il ne reste qu'à lire l'issue de chacune.
        pass
    issues: dict[str, str] = {}
    for t, lancee in zip(taches, lancees, strict=True):
        if lancee.cancelled():
            issues[t["nom"]] = "annulée"
        elif (exc := lancee.exception()) is not None:
            issues[t["nom"]] = type(exc).__name__
        else:
            issues[t["nom"]] = lancee.result()
    return issues


def _montrer(issues: dict[str, str]) -> str:
    """Un dictionnaire nom -> issue sur une ligne : « nom=issue, ... »."""
    return ", ".join(f"{nom}={issue}" for nom, issue in issues.items())


async def main() -> None:
    """Appelle les quatre fonctions sur TACHES et affiche ce qu'elles rendent."""
    print("collecter :")
    print(_montrer(await collecter()))
    print("tout_ou_rien :")
    try:
        print(await tout_ou_rien())
    except ExceptionGroup as groupe:
        print(f"ExceptionGroup : {groupe}")
    print("rapport :")
    print(await rapport())
    print("avec_taskgroup :")
    print(_montrer(await avec_taskgroup()))


if __name__ == "__main__":
    asyncio.run(main())
