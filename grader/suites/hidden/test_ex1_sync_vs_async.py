"""Hidden tests of ex1_sync_vs_async: durations, simultaneous start, non-blocking waits.

`run_sync` and `run_async` look the fetch functions up by name in their
module, so most tests put stand-ins there, with durations and values the
student cannot guess: a program that writes 6.00 s, 3.00 s or the statement's
lists down instead of measuring and returning them fails. Each of these tests
also runs once on the student's own functions (the `None` scenario), the
statement's 2 s, 3 s and 1 s. Durations are distinct tenths of a second, so
the completion order is never ambiguous.

Long because it is a list: one function per catalogue test, each with the
generator of its inputs and the French message of each way it can fail.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader.judge.harness import (
    TOLERANCE,
    Execution,
    Fake,
    Opaque,
    StudentModule,
    blocking_note,
    fmt_t,
    norm,
    require,
    run,
    show,
)

# Results are shown in full when they fit: the student compares them with what was expected.
LONGUEUR_VALEUR = 400

SOURCES = ("users", "orders", "inventory")

DEFAUT: dict[str, tuple[float, list[str]]] = {
    "users": (2.0, ["alice", "bob", "charlie"]),
    "orders": (3.0, ["order_1", "order_2"]),
    "inventory": (1.0, ["item_A", "item_B", "item_C"]),
}

# One scenario: for each source, how long its fetch waits and what it returns.
Scenario = dict[str, tuple[float, list[str]]]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Three distinct durations from 0.1 s to 9.9 s, and three lists nobody can guess."""
    dixiemes = draw(
        st.lists(st.integers(min_value=1, max_value=99), min_size=3, max_size=3, unique=True)
    )
    mots = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6)
    users = draw(st.lists(mots, max_size=4))
    orders = [f"order_{n}" for n in draw(st.lists(st.integers(0, 999), max_size=4))]
    inventory = [f"item_{m.upper()}" for m in draw(st.lists(mots, max_size=4))]
    valeurs = (users, orders, inventory)
    return {
        source: (d / 10, valeur)
        for source, d, valeur in zip(SOURCES, dixiemes, valeurs, strict=True)
    }


# Launch order and completion order are opposite here (the first launched ends
# last), so a schedule or a result list that follows either one shows it.
A_REBOURS: Scenario = {
    "users": (4.2, ["zoe", "yann"]),
    "orders": (1.7, ["order_31"]),
    "inventory": (0.6, ["item_Q", "item_R"]),
}


# -- stand-ins ----------------------------------------------------------------------------


@dataclass
class Appels:
    """When each fetch function was called and when it ended, in call order."""

    # (source, start, end): absolute virtual times, end None if it never finished.
    debuts: list[tuple[str, float, float | None]]

    def de(self, source: str) -> list[float]:
        return [t for s, t, _ in self.debuts if s == source]


def _nom(source: str, asynchrone: bool) -> str:
    return f"fetch_{source}_async" if asynchrone else f"fetch_{source}"


def _executer(
    student: StudentModule, scenario: Scenario | None, asynchrone: bool
) -> tuple[Execution, Appels]:
    """Runs run_sync or run_async with the scenario's fetch functions in the module.

    Without a scenario, the student's own functions run, spied; with one,
    stand-ins wait the scenario's durations (blocking with time.sleep for the
    sync ones, as the given functions do) and return its lists.
    """
    fonction = require(student, "run_async" if asynchrone else "run_sync", coroutine=asynchrone)
    noms = [_nom(source, asynchrone) for source in SOURCES]
    if scenario is None:
        for nom in noms:
            # The spied functions must exist, and be of the right kind, to be run at all.
            require(student, nom, coroutine=asynchrone)
        ex = run(fonction, spies=noms)
    else:
        doublures = [
            Fake(
                nom,
                asynchronous=asynchrone,
                default_delay=scenario[source][0],
                default_result=scenario[source][1],
            )
            for nom, source in zip(noms, SOURCES, strict=True)
        ]
        ex = run(fonction, fakes=doublures)
    debuts = [
        (source, r.start, r.end)
        for nom, source in zip(noms, SOURCES, strict=True)
        for r in ex.calls_of(nom)
    ]
    # Call order by start. Between two blocking calls that start at the same
    # instant, the one that ends first (a wait of 0 s) was made first; the
    # records carry no sequence number. Unfinished calls go last among equals.
    debuts.sort(key=lambda d: (d[1], math.inf if d[2] is None else d[2]))
    return ex, Appels(debuts)


# -- messages -------------------------------------------------------------------------------


def _appel(asynchrone: bool) -> str:
    return "run_async()" if asynchrone else "run_sync()"


def _sujet(scenario: Scenario | None, asynchrone: bool, *, valeurs: bool = False) -> str:
    """The call and what it ran with, for a student who only knows the 2 s, 3 s and 1 s."""
    appel = _appel(asynchrone)
    noms = [_nom(s, asynchrone) for s in SOURCES]
    if scenario is None:
        quoi = "vos coroutines " if asynchrone else ""
        liste = _et([f"{nom} ({DEFAUT[s][0]:g} s)" for nom, s in zip(noms, SOURCES, strict=True)])
        return f"{appel}, avec {quoi}{liste},"
    durees = _et([f"{scenario[s][0]:.1f} s" for s in SOURCES])
    renvoient = f" et renvoient {_et([repr(scenario[s][1]) for s in SOURCES])}" if valeurs else ""
    return (
        f"{appel}, avec {_et(noms)} remplacées par des versions de test qui attendent "
        f"{durees}{renvoient},"
    )


def _et(mots: list[str]) -> str:
    return ", ".join(mots[:-1]) + " et " + mots[-1]


def _durees(scenario: Scenario | None) -> list[float]:
    donnees = DEFAUT if scenario is None else scenario
    return [donnees[s][0] for s in SOURCES]


def _valeurs(scenario: Scenario | None) -> list[list[str]]:
    donnees = DEFAUT if scenario is None else scenario
    return [donnees[s][1] for s in SOURCES]


def _les_resultats(resultats: Any) -> str:
    """What came back as the results, for « … a renvoyé … » in a message."""
    if isinstance(resultats, Opaque):
        # « les résultats un objet coroutine » would not read: say what came instead.
        return f"comme résultats {show(resultats)}"
    return f"les résultats {show(resultats, LONGUEUR_VALEUR)}"


def _resultat(ex: Execution, appel: str) -> tuple[Any, float]:
    valeur = ex.value
    assert isinstance(valeur, (tuple, list)) and len(valeur) == 2, (
        f"{appel} a renvoyé {show(valeur, LONGUEUR_VALEUR)} ; "
        "attendu un couple ([users, orders, inventory], elapsed)"
    )
    resultats, elapsed = valeur
    assert isinstance(elapsed, (int, float)) and not isinstance(elapsed, bool), (
        f"{appel} a renvoyé {show(elapsed)} comme temps écoulé ; attendu un nombre de secondes, "
        "mesuré avec time.perf_counter()"
    )
    return resultats, float(elapsed)


def _appels_uniques(appels: Appels, appel: str, sujet: str, asynchrone: bool) -> None:
    for source in SOURCES:
        nb = len(appels.de(source))
        nom = _nom(source, asynchrone)
        assert nb == 1, (
            f"{sujet} a appelé {nom} {nb} fois ; attendu une seule fois : "
            f"{appel} appelle {nom}() du module pour obtenir la liste {source}"
        )


def _compact(text: str) -> str:
    # The contract allows any white space between words, or none around « : » :
    # compare without it (norm would still tell "synchrone:" from "synchrone :").
    return "".join(text.split())


# The class names of what asyncio hands back to be awaited (gather's future, a
# task, a plain future): the executor sends them as opaque values.
AWAITABLES = frozenset({"Future", "Task", "_GatheringFuture"})


def _a_attendre(valeur: Any) -> bool:
    """A coroutine, task or future that came back instead of its result."""
    if not isinstance(valeur, Opaque):
        return False
    return bool(valeur.coroutine) or valeur.type.rsplit(".", 1)[-1] in AWAITABLES


# -- tests ----------------------------------------------------------------------------------


@given(scenario=scenarios())
@example(scenario=None)
@example(scenario=A_REBOURS)
def test_resultats_dans_l_ordre(student: StudentModule, scenario: Scenario | None) -> None:
    attendu = _valeurs(scenario)
    for asynchrone in (False, True):
        appel = _appel(asynchrone)
        sujet = _sujet(scenario, asynchrone, valeurs=True)
        ex, _ = _executer(student, scenario, asynchrone)
        resultats, _ = _resultat(ex, appel)
        obtenu = list(resultats) if isinstance(resultats, (list, tuple)) else resultats
        if _a_attendre(resultats):
            cause = (
                " : c'est un objet à attendre, pas les résultats eux-mêmes ; un « await » "
                "est-il oublié ? (voir « Les pièges classiques »)"
            )
        elif isinstance(obtenu, list) and any(_a_attendre(r) for r in obtenu):
            cause = (
                " : ce sont des objets à attendre, pas leurs résultats ; un « await » "
                "est-il oublié ? (voir « Les pièges classiques »)"
            )
        elif (
            asynchrone
            and isinstance(obtenu, list)
            and sorted(map(repr, obtenu)) == sorted(map(repr, attendu))
        ):
            fins = sorted(SOURCES, key=lambda s: _durees(scenario)[SOURCES.index(s)])
            cause = (
                " : ce sont les bons résultats, mais dans l'ordre où les coroutines se sont "
                f"terminées ({', '.join(fins)}) ; asyncio.gather, lui, rend les résultats dans "
                "l'ordre où on lui a donné les coroutines"
            )
        else:
            cause = ""
        assert obtenu == attendu, (
            f"{sujet} a renvoyé {_les_resultats(resultats)} ; attendu "
            f"{attendu!r}, les valeurs renvoyées par les trois fonctions, dans l'ordre users, "
            f"orders, inventory{cause}"
        )


@pytest.mark.timeline(schedule="a_la_suite")
@given(scenario=scenarios())
@example(scenario=None)
def test_sync_somme_des_durees(student: StudentModule, scenario: Scenario | None) -> None:
    appel = _appel(False)
    sujet = _sujet(scenario, False)
    ex, appels = _executer(student, scenario, False)
    _appels_uniques(appels, appel, sujet, False)
    ordre = [s for s, _, _ in appels.debuts]
    assert ordre == list(SOURCES), (
        f"{appel} a appelé {', '.join(_nom(s, False) for s in ordre)} dans cet ordre ; "
        "attendu fetch_users, puis fetch_orders, puis fetch_inventory"
    )
    somme = sum(_durees(scenario))
    assert math.isclose(ex.elapsed, somme, abs_tol=TOLERANCE), (
        f"{sujet} a duré {ex.elapsed:.2f} s ; attendu {somme:.2f} s, la somme des "
        "trois attentes, chaque fonction étant appelée après la fin de la précédente"
    )
    _, elapsed = _resultat(ex, appel)
    assert math.isclose(elapsed, somme, abs_tol=TOLERANCE), (
        f"{sujet} a duré {somme:.2f} s mais a renvoyé un temps écoulé de "
        f"{elapsed:.2f} s ; attendu {somme:.2f} s, le temps mesuré avec time.perf_counter() "
        "avant le premier appel et après le dernier (pas une valeur écrite à l'avance)"
    )


@pytest.mark.timeline(schedule="ensemble")
@given(scenario=scenarios())
@example(scenario=None)
@example(scenario=A_REBOURS)
def test_async_duree_du_plus_long(student: StudentModule, scenario: Scenario | None) -> None:
    appel = _appel(True)
    sujet = _sujet(scenario, True)
    ex, _ = _executer(student, scenario, True)
    durees = _durees(scenario)
    plus_long, somme = max(durees), sum(durees)
    if not math.isclose(ex.elapsed, plus_long, abs_tol=TOLERANCE):
        if math.isclose(ex.elapsed, somme, abs_tol=TOLERANCE):
            cause = (
                " : c'est la somme des trois attentes, les coroutines ont attendu l'une après "
                "l'autre au lieu d'attendre ensemble"
            )
        elif ex.elapsed < TOLERANCE:
            cause = " : rien n'a été attendu, un « await » est-il oublié ?"
        else:
            cause = ""
        raise AssertionError(
            f"{sujet} a duré {ex.elapsed:.2f} s{cause} ; attendu {plus_long:.2f} s, "
            f"la plus longue des trois attentes{blocking_note(ex)}"
        )
    _, elapsed = _resultat(ex, appel)
    assert math.isclose(elapsed, plus_long, abs_tol=TOLERANCE), (
        f"{sujet} a duré {plus_long:.2f} s mais a renvoyé un temps écoulé de "
        f"{elapsed:.2f} s ; attendu {plus_long:.2f} s, le temps mesuré avec "
        "time.perf_counter() avant et après l'attente des trois coroutines (pas une valeur "
        "écrite à l'avance)"
    )


@pytest.mark.timeline(schedule="ensemble")
@given(scenario=scenarios())
@example(scenario=None)
@example(scenario=A_REBOURS)
def test_demarrage_simultane(student: StudentModule, scenario: Scenario | None) -> None:
    appel = _appel(True)
    sujet = _sujet(scenario, True)
    ex, appels = _executer(student, scenario, True)
    _appels_uniques(appels, appel, sujet, True)
    for source, t, _ in appels.debuts:
        depart = t - ex.t0
        assert abs(depart) < TOLERANCE, (
            f"{sujet} a démarré {_nom(source, True)} à {fmt_t(depart)} ; attendu à "
            f"{fmt_t(0)}, en même temps que les deux autres, sans attendre la fin d'aucune"
            f"{blocking_note(ex)}"
        )
    # Starting them is not enough: run_async must also wait for the three to finish.
    # A spied coroutine cancelled when the call ends is recorded as ended then, so
    # the tasks left running are checked as well as the ends.
    retour = ex.t0 + ex.elapsed
    attendre = (
        f"attendu que {appel} attende la fin des trois coroutines (await asyncio.gather(...)) "
        "avant de mesurer le temps et de renvoyer les résultats"
    )
    for source, _, fin in appels.debuts:
        assert fin is not None and fin <= retour + TOLERANCE, (
            f"{sujet} a démarré {_nom(source, True)} à {fmt_t(0)} mais a renvoyé son résultat "
            f"à {fmt_t(ex.elapsed)} sans attendre sa fin ; {attendre}"
        )
    assert not ex.pending, (
        f"{sujet} a renvoyé son résultat à {fmt_t(ex.elapsed)} en laissant des tâches en cours "
        f"({', '.join(ex.pending[:3])}) ; {attendre}"
    )


ATTENTES = (
    ("fetch_users_async", 2.0, DEFAUT["users"][1]),
    ("fetch_orders_async", 3.0, DEFAUT["orders"][1]),
    ("fetch_inventory_async", 1.0, DEFAUT["inventory"][1]),
)


@pytest.mark.timeline
def test_coroutines_attendent_sans_bloquer(student: StudentModule) -> None:
    for nom, duree, valeur in ATTENTES:
        fonction = require(student, nom, coroutine=True)
        ex = run(fonction)
        if ex.blocking:
            bloque = ex.blocking[0]
            ou = f" ({bloque.where})" if bloque.where else ""
            raise AssertionError(
                f"{nom}() a attendu {bloque.duration:g} s avec un appel bloquant{ou} : pendant "
                "ce temps, aucune autre coroutine ne peut avancer ; attendu une attente qui "
                "suspend seulement cette coroutine (voir « async et await » et « Les pièges "
                "classiques »)"
            )
        oubli = (
            " : rien n'a été attendu, un « await » est-il oublié ? (voir « Les pièges classiques »)"
            if ex.elapsed < TOLERANCE
            else ""
        )
        assert math.isclose(ex.elapsed, duree, abs_tol=TOLERANCE), (
            f"{nom}() s'est terminée à {fmt_t(ex.elapsed)} ; attendu à {fmt_t(duree)}, après "
            f"une attente de {duree:g} s{oubli}"
        )
        assert ex.value == valeur, (
            f"{nom}() a renvoyé {show(ex.value, LONGUEUR_VALEUR)} ; attendu {valeur!r}, "
            f"la même valeur que {nom.removesuffix('_async')}()"
        )


FLOTTANTS = st.floats(min_value=0.0, max_value=1e4, allow_nan=False, allow_infinity=False)


@given(durees=st.lists(FLOTTANTS, max_size=12), concurrent=st.booleans())
@example(durees=[], concurrent=False)
@example(durees=[], concurrent=True)
@example(durees=[0.5, 4.25, 1.5, 2.0], concurrent=True)
@example(durees=[0.5, 4.25, 1.5, 2.0], concurrent=False)
def test_duree_totale_quelconque(
    student: StudentModule, durees: list[float], concurrent: bool
) -> None:
    fonction = require(student, "duree_totale", coroutine=False)
    appel = f"duree_totale({durees!r}, {concurrent})"
    ex = run(fonction, list(durees), concurrent)
    valeur = ex.value
    if not durees:
        attendu, sens = 0.0, "sans aucune attente, rien ne dure"
    elif concurrent:
        attendu, sens = max(durees), "la plus grande durée, les attentes se faisant ensemble"
    else:
        attendu, sens = sum(durees), "la somme des durées, les attentes se faisant à la suite"
    assert isinstance(valeur, (int, float)) and not isinstance(valeur, bool), (
        f"{appel} a renvoyé {show(valeur)} ; attendu le nombre {attendu!r}, {sens}"
    )
    assert math.isclose(valeur, attendu, rel_tol=1e-9, abs_tol=1e-9), (
        f"{appel} a renvoyé {show(valeur)} ; attendu {attendu!r}, {sens}"
    )


@given(scenario=scenarios())
@example(scenario=None)
def test_lignes_affichees(student: StudentModule, scenario: Scenario | None) -> None:
    for asynchrone, debut in ((False, "Version synchrone"), (True, "Version asynchrone")):
        sujet = _sujet(scenario, asynchrone)
        ex, _ = _executer(student, scenario, asynchrone)
        # Judged against the call's own duration, so a wrong schedule does not fail this
        # test too: only the line's wording and its figure are checked here.
        attendu = f"{debut} : {ex.elapsed:.2f} s"
        lignes = [norm(ln.text) for ln in ex.lines if _compact(ln.text).startswith(_compact(debut))]
        assert lignes, f"{sujet} n'a pas affiché de ligne « {debut} : … s » ; attendu « {attendu} »"
        assert len(lignes) == 1, (
            f"{sujet} a affiché {len(lignes)} lignes « {debut} : … s » ; attendu "
            f"une seule : « {attendu} »"
        )
        assert _compact(lignes[0]) == _compact(attendu), (
            f"{sujet} a duré {ex.elapsed:.2f} s et a affiché « {lignes[0]} » ; "
            f"attendu « {attendu} », le temps mesuré avec deux chiffres après la virgule"
        )
