"""Hidden tests of ex9_exceptions: results, concurrency, the group, except*, TaskGroup.

Every property that holds for any input is checked on generated tasks (names,
delays, results and failures the student cannot guess), so a program tuned
to TACHES or to the statement's sample fails. Delays are distinct tenths of a
second: which task ends first is never ambiguous.
"""

from __future__ import annotations

import string
from collections import Counter
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader.judge.harness import (
    TOLERANCE,
    Execution,
    blocking_note,
    fmt_t,
    line_diff,
    norm,
    show,
)
from grader.protocol import ErrorInfo

# Helpers shared with the public tests, which always ship alongside these.
from grader.suites.public.test_ex9_exceptions import (
    COLLECTER_SANS_LEVER,
    RAPPORT_SANS_FUITE,
    RIEN_D_ANNULE,
    TASKGROUP_RATTRAPE,
    _court,
    _leve,
    _nom_type,
    _paires,
    _sans_exception,
)

SORTES = ("ValueError", "KeyError", "ConnectionError")
MESSAGE_GROUPE = "des tâches ont échoué"
ANNULEE = "annulée"

Tache = dict[str, Any]

NOMS = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6)
RESULTATS = st.text(alphabet=string.ascii_lowercase + " ", min_size=1, max_size=8)


@st.composite
def lots(
    draw: st.DrawFn, *, min_size: int = 1, echecs: int = 0, sans_echec: bool = False
) -> list[Tache]:
    """1 to 6 tasks with generated names, distinct delays from 0.1 s to 4.0 s, and for
    each a result or one of the three kinds of error (at least `echecs` failures)."""
    n = draw(st.integers(min_value=max(min_size, echecs), max_value=6))
    noms = draw(st.lists(NOMS, min_size=n, max_size=n, unique=True))
    dixiemes = draw(
        st.lists(st.integers(min_value=1, max_value=40), min_size=n, max_size=n, unique=True)
    )
    taches: list[Tache] = []
    for i, (nom, d) in enumerate(zip(noms, dixiemes, strict=True)):
        echoue = not sans_echec and (i < echecs or draw(st.booleans()))
        if echoue:
            taches.append({"nom": nom, "delai": d / 10, "erreur": draw(st.sampled_from(SORTES))})
        else:
            taches.append({"nom": nom, "delai": d / 10, "resultat": draw(RESULTATS)})
    # The forced failures are not always the first tasks listed.
    return draw(st.permutations(taches)) if echecs else taches


# Several failures of one kind, a success after the first failure, the longest task
# a success: checked before any generated case.
MELANGE: list[Tache] = [
    {"nom": "a", "delai": 1.4, "erreur": "KeyError"},
    {"nom": "b", "delai": 0.3, "resultat": "x"},
    {"nom": "c", "delai": 2.2, "resultat": "y z"},
    {"nom": "d", "delai": 0.7, "erreur": "ValueError"},
    {"nom": "e", "delai": 1.1, "erreur": "KeyError"},
    {"nom": "f", "delai": 0.9, "erreur": "KeyError"},
]
# Every task fails, of all three kinds.
TOUS_EN_ECHEC: list[Tache] = [
    {"nom": "p", "delai": 0.5, "erreur": "ConnectionError"},
    {"nom": "q", "delai": 0.2, "erreur": "ValueError"},
    {"nom": "r", "delai": 0.8, "erreur": "ConnectionError"},
    {"nom": "s", "delai": 0.4, "erreur": "KeyError"},
]
SANS_ECHEC: list[Tache] = [
    {"nom": "u", "delai": 0.6, "resultat": "un"},
    {"nom": "v", "delai": 0.2, "resultat": "deux"},
    {"nom": "w", "delai": 0.9, "resultat": "trois"},
]


# -- helpers ----------------------------------------------------------------------------


def _appel(fonction: str, taches: list[Tache]) -> str:
    return f"{fonction}({taches})"


def _echecs(taches: list[Tache]) -> list[Tache]:
    return [t for t in taches if "erreur" in t]


def _issue(t: Tache) -> str:
    return str(t["erreur"] if "erreur" in t else t["resultat"])


def _decrit(t: Tache) -> str:
    quoi = f"lève {t['erreur']}" if "erreur" in t else f"renvoie {t['resultat']!r}"
    return f"{t['nom']} ({quoi} à {t['delai']:.1f} s)"


def _message_groupe(n: int) -> str:
    return f"{MESSAGE_GROUPE} ({n} sub-exception{'s' if n > 1 else ''})"


def _verifier_appels(ex: Execution, appel: str, taches: list[Tache]) -> None:
    """tache called once for each task, with that task, all of them at t=0."""
    appels = ex.calls_of("tache")
    recus = Counter(
        str(a.args[0].get("nom")) for a in appels if a.args and isinstance(a.args[0], dict)
    )
    attendus = Counter(str(t["nom"]) for t in taches)
    assert len(appels) == len(taches) and recus == attendus, (
        f"{appel} a appelé tache {len(appels)} fois "
        f"({', '.join(sorted(recus.elements())) or 'jamais'}) ; "
        f"attendu une fois pour chacune des {len(taches)} tâches ({', '.join(attendus)}) : "
        "les résultats doivent venir des appels de tache(t)"
    )


def _verifier_comptes(student: Any, taches: list[Tache]) -> None:
    appel = _appel("rapport", taches)
    ex = _sans_exception(student, "rapport", taches, appel, RAPPORT_SANS_FUITE)
    comptes = Counter(str(t["erreur"]) for t in _echecs(taches))
    attendu = {sorte: comptes[sorte] for sorte in SORTES}
    assert _paires(ex.value) == list(attendu.items()), (
        f"{appel} a renvoyé {show(ex.value)} ; attendu {attendu!r} : le nombre de tâches en "
        "échec de chaque sorte (len(groupe.exceptions) dans sa clause except*), 0 pour une "
        "sorte absente, les trois clés dans cet ordre"
    )
    lignes = [norm(t) for t in ex.texts if not t.startswith("  ")]
    voulues = [f"{s} : {comptes[s]} échec(s)" for s in SORTES if comptes[s]] or ["Aucun échec"]
    vu = " puis ".join(f"« {t} »" for t in lignes) or "rien"
    attendu_texte = " puis ".join(f"« {t} »" for t in voulues)
    detail = ""
    if len(lignes) == len(voulues):
        detail = next((line_diff(a, b) for a, b in zip(lignes, voulues, strict=True) if a != b), "")
    assert lignes == voulues, (
        f"{appel} a affiché {vu} ; attendu {attendu_texte} : chaque clause except* ne "
        "s'exécute qu'une fois, même pour plusieurs exceptions de sa sorte, dans l'ordre "
        f"ValueError, KeyError, ConnectionError{detail}"
    )


# -- tests --------------------------------------------------------------------------------


@given(taches=lots(min_size=0))
@example(taches=MELANGE)
@example(taches=TOUS_EN_ECHEC)
def test_collecter_quelconque(student: Any, taches: list[Tache]) -> None:
    appel = _appel("collecter", taches)
    ex = _sans_exception(student, "collecter", taches, appel, COLLECTER_SANS_LEVER)
    attendu = {str(t["nom"]): _issue(t) for t in taches}
    obtenu = _paires(ex.value)
    if obtenu != list(attendu.items()):
        if isinstance(ex.value, dict) and sorted(ex.value.items()) == sorted(attendu.items()):
            raise AssertionError(
                f"{appel} a renvoyé {show(ex.value)} ; attendu {attendu!r} : les bonnes issues, "
                "mais dans l'ordre de la liste reçue, pas dans l'ordre où les tâches finissent"
            )
        fausses = [
            _decrit(t)
            for t in taches
            if not isinstance(ex.value, dict) or ex.value.get(t["nom"]) != _issue(t)
        ]
        raise AssertionError(
            f"{appel} a renvoyé {show(ex.value)} ; attendu {attendu!r} : pour chaque nom, le "
            "résultat de la tâche ou le nom du type de son exception. Issues fausses : "
            f"{' ; '.join(fausses) or 'des noms en trop'}"
        )
    _verifier_appels(ex, appel, taches)


@pytest.mark.timeline
@given(taches=lots(echecs=1))
@example(taches=MELANGE)
def test_collecter_en_meme_temps(student: Any, taches: list[Tache]) -> None:
    appel = _appel("collecter", taches)
    ex = _leve(student, "collecter", taches)
    if isinstance(ex, ErrorInfo):
        raise AssertionError(
            f"{appel} a levé {_court(ex)} à {fmt_t(ex.at)} : le premier échec a tout arrêté ; "
            "attendu : toutes les tâches vont au bout, leurs exceptions rendues parmi les "
            "résultats (return_exceptions=True)"
        )
    _verifier_appels(ex, appel, taches)
    attendu = max(t["delai"] for t in taches)
    somme = sum(t["delai"] for t in taches)
    if len(taches) > 1 and abs(ex.elapsed - somme) < TOLERANCE:
        cause = " : c'est la somme des durées, les tâches ont été attendues l'une après l'autre"
    else:
        cause = ""
    assert abs(ex.elapsed - attendu) < TOLERANCE, (
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)}{cause} ; attendu à {fmt_t(attendu)}, la "
        "durée de la tâche la plus longue : toutes tournent en même temps et chacune va au bout"
        f"{blocking_note(ex)}"
    )
    departs = sorted({round(a.start - ex.t0, 6) for a in ex.calls_of("tache")})
    assert departs == [0.0], (
        f"{appel} a lancé les tâches à {', '.join(fmt_t(d) for d in departs)} ; attendu : "
        f"toutes à {fmt_t(0)}, ensemble{blocking_note(ex)}"
    )
    for t in taches:
        fin = f"  {t['nom']} en échec" if "erreur" in t else f"  {t['nom']} terminée"
        ligne = next((ln for ln in ex.lines if ln.text.startswith(fin + " (")), None)
        assert ligne is not None and abs(ligne.t - t["delai"]) < TOLERANCE, (
            f"{appel} : la tâche {_decrit(t)} n'est pas allée au bout à {fmt_t(t['delai'])} ; "
            "attendu : chaque tâche finit, même quand une autre a échoué avant elle"
        )


@pytest.mark.timeline
@given(taches=lots(echecs=1))
@example(taches=MELANGE)
@example(taches=TOUS_EN_ECHEC)
@example(taches=[{"nom": "seul", "delai": 0.3, "erreur": "KeyError"}])
def test_groupe_de_tous_les_echecs(student: Any, taches: list[Tache]) -> None:
    appel = _appel("tout_ou_rien", taches)
    ex = _leve(student, "tout_ou_rien", taches)
    echecs = _echecs(taches)
    noms = ", ".join(str(t["nom"]) for t in echecs)
    if isinstance(ex, Execution):
        raise AssertionError(
            f"{appel} a renvoyé {show(ex.value)} à {fmt_t(ex.elapsed)} ; attendu : lever "
            f"ExceptionGroup(« {MESSAGE_GROUPE} », …) avec l'exception de chaque tâche en "
            f"échec ({noms})"
        )
    attendu = _message_groupe(len(echecs))
    assert _nom_type(ex) == "ExceptionGroup", (
        f"{appel} a levé {_court(ex)} ; attendu un ExceptionGroup qui réunit les "
        f"{len(echecs)} exception(s) des tâches en échec ({noms})"
    )
    assert norm(ex.message) == attendu, (
        f"{appel} a levé ExceptionGroup « {ex.message} » ; attendu « {attendu} » : le message "
        f"donné, et une exception par tâche en échec ({noms}), sans les résultats des autres"
        f"{line_diff(norm(ex.message), attendu)}"
    )
    fin = max(t["delai"] for t in taches)
    assert abs(ex.at - fin) < TOLERANCE, (
        f"{appel} a levé son ExceptionGroup à {fmt_t(ex.at)} ; attendu à {fmt_t(fin)}, une fois "
        "toutes les tâches finies ensemble (la plus longue dure "
        f"{fin:.1f} s), pas au premier échec ni l'une après l'autre"
    )


def test_sans_echec_pas_de_groupe(student: Any) -> None:
    for taches in (SANS_ECHEC, []):
        appel = _appel("tout_ou_rien", taches)
        ex = _leve(student, "tout_ou_rien", taches)
        if isinstance(ex, ErrorInfo):
            raise AssertionError(
                f"{appel} a levé {_court(ex)} ; attendu : rien, aucune tâche n'échoue (et un "
                "ExceptionGroup ne peut pas être vide)"
            )
        attendu = [t["resultat"] for t in taches]
        valeur = ex.value
        obtenu = list(valeur) if isinstance(valeur, (list, tuple)) else valeur
        assert obtenu == attendu, (
            f"{appel} a renvoyé {show(valeur)} ; attendu {attendu!r}, les résultats des tâches "
            "dans l'ordre de la liste, puisque aucune n'échoue"
        )
        _verifier_comptes(student, taches)


@given(taches=lots(echecs=2))
@example(taches=MELANGE)
@example(taches=TOUS_EN_ECHEC)
def test_rapport_quelconque(student: Any, taches: list[Tache]) -> None:
    _verifier_comptes(student, taches)


def _issues_taskgroup(taches: list[Tache]) -> tuple[dict[str, str], float]:
    echecs = _echecs(taches)
    if not echecs:
        return {str(t["nom"]): _issue(t) for t in taches}, max(t["delai"] for t in taches)
    premier = min(t["delai"] for t in echecs)
    issues = {str(t["nom"]): _issue(t) if t["delai"] <= premier else ANNULEE for t in taches}
    return issues, premier


@pytest.mark.timeline
@given(taches=lots(echecs=1))
@example(taches=MELANGE)
@example(taches=TOUS_EN_ECHEC)
@example(taches=SANS_ECHEC)
def test_taskgroup_annule_au_premier_echec(student: Any, taches: list[Tache]) -> None:
    appel = _appel("avec_taskgroup", taches)
    ex = _sans_exception(student, "avec_taskgroup", taches, appel, TASKGROUP_RATTRAPE)
    attendu, fin = _issues_taskgroup(taches)
    echecs = _echecs(taches)
    premier = min(echecs, key=lambda t: t["delai"]) if echecs else None
    pourquoi = (
        f"{_decrit(premier)} échoue la première : le TaskGroup annule alors les tâches qui "
        "tournent encore"
        if premier is not None
        else "aucune tâche n'échoue : toutes vont au bout"
    )
    sans_annulation = [(str(t["nom"]), _issue(t)) for t in taches]
    if premier is not None and _paires(ex.value) == sans_annulation != list(attendu.items()):
        pourquoi += RIEN_D_ANNULE
    assert _paires(ex.value) == list(attendu.items()), (
        f"{appel} a renvoyé {show(ex.value)} ; attendu {attendu!r} : {pourquoi} ; pour chaque "
        f"nom, son résultat, le type de son exception ou « {ANNULEE} », dans l'ordre de la liste"
    )
    assert abs(ex.elapsed - fin) < TOLERANCE, (
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)} ; attendu à {fmt_t(fin)} : {pourquoi}"
        f"{blocking_note(ex)}"
    )
    _verifier_appels(ex, appel, taches)
    tardives = [ln.text.strip() for ln in ex.lines if ln.t > fin + TOLERANCE]
    assert not tardives, (
        f"{appel} : « {tardives[0]} » a été affiché après {fmt_t(fin)} ; attendu : les tâches "
        "annulées ne vont pas au bout"
    )


@given(taches=lots(echecs=1))
@example(taches=MELANGE)
def test_taskgroup_rien_ne_reste(student: Any, taches: list[Tache]) -> None:
    appel = _appel("avec_taskgroup", taches)
    ex = _sans_exception(student, "avec_taskgroup", taches, appel, TASKGROUP_RATTRAPE)
    assert not ex.pending, (
        f"{appel} a rendu la main à {fmt_t(ex.elapsed)} alors que {len(ex.pending)} tâche(s) "
        f"tournaient encore : {' ; '.join(ex.pending)}. Attendu : aucune, les tâches restantes "
        "sont annulées et attendues par le TaskGroup à la sortie du bloc async with"
    )
    # No task left only counts for a call that did its work: every task called once.
    _verifier_appels(ex, appel, taches)
