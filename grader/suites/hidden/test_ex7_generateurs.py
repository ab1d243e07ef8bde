"""Hidden tests of ex7_generateurs: values one at a time, filter, one after the other or together.

Every property that holds for any input is checked on generated sizes,
delays and thresholds the student cannot guess, so a program tuned to the
statement's example fails. Delays are hundredths of a second: a duration
printed with the wrong format shows, and no two different schedules give
the same times within the tolerance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    require,
    run,
    show,
)

# Helpers shared with the public tests, which always ship alongside these.
from grader.suites.public.test_ex7_generateurs import _generateur

if TYPE_CHECKING:
    from grader.protocol import Recorded


TAILLES_N = st.integers(min_value=0, max_value=8)
DELAIS = st.integers(min_value=1, max_value=99).map(lambda c: c / 100)
# One to four generators of 0 to 5 values each.
TAILLES = st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=4)

# Sizes launched so that the longest is neither first nor last, with a delay whose
# hundredths show: checked before any generated case.
MELANGE = ([2, 5, 1, 3], 0.37)


# -- helpers ----------------------------------------------------------------------------


def _chronometrer(student: Any, n: int, delai: float) -> tuple[Execution, list[tuple[float, Any]]]:
    _generateur(student)
    ex = run(require(student, "chronometrer", coroutine=True), n, delai)
    recu = ex.value
    assert isinstance(recu, list) and all(isinstance(c, tuple) and len(c) == 2 for c in recu), (
        f"chronometrer({n}, {delai}) a renvoyé {show(recu)} ; attendu une liste de couples "
        "(instant, valeur) : chronometrer est donnée, ne la modifiez pas"
    )
    return ex, recu


def _puissances(n: int) -> list[int]:
    return [2**i for i in range(n)]


def _resultat(ex: Execution, appel: str, tailles: list[int]) -> tuple[list[Any], float]:
    valeur = ex.value
    assert isinstance(valeur, tuple) and len(valeur) == 2, (
        f"{appel} a renvoyé {show(valeur)} ; attendu un couple (listes, duree)"
    )
    listes, duree = valeur
    attendu = [_puissances(t) for t in tailles]
    assert listes == attendu, (
        f"{appel} a renvoyé les listes {show(listes)} ; attendu {show(attendu)} : une liste "
        "par taille, dans l'ordre de tailles, celle que renvoie consommer"
    )
    assert isinstance(duree, (int, float)) and not isinstance(duree, bool), (
        f"{appel} a renvoyé {show(valeur)} : le second élément doit être la durée en "
        "secondes (un nombre)"
    )
    return listes, float(duree)


def _debut(appel: Recorded, t0: float) -> float:
    return appel.start - t0


_TROP_TOT = (
    " : trop tôt ; une attente appelée sans await ne s'exécute pas (voir « Les pièges classiques »)"
)


def _parcourir(student: Any, nom: str, tailles: list[int], delai: float) -> tuple[str, Execution]:
    """The call `nom(tailles, delai)` as the messages write it, and its run (consommer spied)."""
    fn = require(student, nom, coroutine=True)
    appel = f"{nom}({tailles}, {delai})"
    return appel, run(fn, tailles, delai, spies=["consommer"])


def _verifier_fin(
    ex: Execution, appel: str, tailles: list[int], delai: float, *, ensemble: bool
) -> float:
    """The run ended at the time of its way of reading the generators (all `ensemble`:
    the longest one; else one after the other: the sum of the waits), which it returns;
    if not, the message says why when it can: the other way's time, or too early."""
    somme = sum(tailles) * delai
    plus_long = max(tailles) * delai
    if ensemble:
        attendu, pourquoi = plus_long, "la durée du plus long générateur"
        autre = somme
        si_autre = " : c'est la somme des attentes, les générateurs ont été lus l'un après l'autre"
    else:
        attendu, pourquoi = somme, f"la somme des attentes ({sum(tailles)} valeurs de {delai} s)"
        autre = plus_long
        si_autre = " : c'est la durée du plus long, les générateurs ont été lus en même temps"
    if abs(ex.elapsed - attendu) >= TOLERANCE:
        # With at most one generator that yields values both ways take the same time,
        # and a run that took the other way's time cannot be told from a right one.
        if somme > plus_long and abs(ex.elapsed - autre) < TOLERANCE:
            cause = si_autre
        elif ex.elapsed < attendu:
            cause = _TROP_TOT
        else:
            cause = ""
        raise AssertionError(
            f"{appel} s'est terminé à {fmt_t(ex.elapsed)}{cause} ; attendu à {fmt_t(attendu)}, "
            f"{pourquoi}{blocking_note(ex)}"
        )
    return attendu


def _verifier_duree_renvoyee(ex: Execution, appel: str, tailles: list[int], attendu: float) -> None:
    """The returned lists are right and the returned duration is the one measured."""
    _, duree = _resultat(ex, appel, tailles)
    assert abs(duree - attendu) < TOLERANCE, (
        f"{appel} a duré {ex.elapsed:.2f} s mais a renvoyé une durée de {duree:.2f} s ; "
        "attendu la durée mesurée avec time.perf_counter() du début à la fin des parcours"
    )


# -- the generator -------------------------------------------------------------------------


@pytest.mark.timeline
@given(n=TAILLES_N, delai=DELAIS)
@example(n=5, delai=0.37)
def test_valeurs_une_a_une(student: Any, n: int, delai: float) -> None:
    ex, recu = _chronometrer(student, n, delai)
    appel = f"powers_of_two({n}, {delai})"
    assert len(recu) == n, (
        f"{appel} a produit {len(recu)} valeur(s) ; attendu {n}, une par puissance de deux"
    )
    instants = [t for t, _ in recu]
    for i, (t, v) in enumerate(recu):
        attendu = (i + 1) * delai
        if abs(t - attendu) < TOLERANCE:
            continue
        if n > 1 and all(abs(u - instants[-1]) < TOLERANCE for u in instants):
            cause = (
                " : toutes les valeurs sont arrivées en même temps, à la fin ; le générateur "
                "doit produire chaque valeur avec yield dès qu'elle est prête, pas remplir "
                "une liste d'abord"
            )
        elif abs(t - i * delai) < TOLERANCE:
            cause = " : l'attente doit venir avant chaque valeur, pas après"
        elif t < attendu:
            cause = _TROP_TOT
        else:
            cause = ""
        raise AssertionError(
            f"{appel} a produit sa valeur n° {i + 1} ({show(v)}) à {fmt_t(t)}{cause} ; attendu "
            f"à {fmt_t(attendu)}, {delai} s après la précédente{blocking_note(ex)}"
        )


@given(n=st.integers(min_value=0, max_value=30))
@example(n=0)
@example(n=1)
def test_valeurs_exactes(student: Any, n: int) -> None:
    _, recu = _chronometrer(student, n, 0.01)
    valeurs = [v for _, v in recu]
    attendu = _puissances(n)
    assert valeurs == attendu, (
        f"powers_of_two({n}, 0.01) a produit {show(valeurs)} ; attendu {show(attendu)}, "
        + (f"les puissances de deux de 2 ** 0 à 2 ** {n - 1}" if n else "aucune valeur pour n = 0")
    )


def test_sans_bloquer(student: Any) -> None:
    ex, _ = _chronometrer(student, 3, 0.2)
    assert not ex.blocking, (
        f"powers_of_two(3, 0.2) a attendu en bloquant le programme{blocking_note(ex)} ; "
        "attendu une attente avec « await asyncio.sleep(...) »"
    )
    ensemble = require(student, "ensemble", coroutine=True)
    ex = run(ensemble, [2, 3], 0.1)
    assert not ex.blocking, (
        f"ensemble([2, 3], 0.1) a bloqué le programme{blocking_note(ex)} ; attendu des "
        "attentes avec « await asyncio.sleep(...) », qui laissent avancer les autres "
        "générateurs"
    )


# -- the filtered comprehension --------------------------------------------------------------


@given(n=st.integers(min_value=0, max_value=10), delai=DELAIS, seuil=st.integers(0, 600))
@example(n=6, delai=0.25, seuil=8)
@example(n=4, delai=0.1, seuil=0)
def test_filtre_garde_les_bonnes_valeurs(student: Any, n: int, delai: float, seuil: int) -> None:
    fn = require(student, "puissances_filtrees", coroutine=True)
    appel = f"puissances_filtrees({n}, {delai}, {seuil})"
    ex = run(fn, n, delai, seuil, spies=["powers_of_two"])
    attendu = [x for x in _puissances(n) if x > seuil]
    if ex.value != attendu:
        if ex.value == [x for x in _puissances(n) if x <= seuil] and ex.value != attendu:
            cause = " : ce sont les valeurs que le filtre devait écarter"
        elif ex.value == [x for x in _puissances(n) if x >= seuil]:
            cause = f" : {seuil} lui-même ne doit pas être gardé (strictement supérieures)"
        else:
            cause = ""
        raise AssertionError(
            f"{appel} a renvoyé {show(ex.value)}{cause} ; attendu {show(attendu)}, les valeurs "
            f"de powers_of_two({n}, {delai}) strictement supérieures à {seuil}, dans l'ordre"
        )
    appels = ex.calls_of("powers_of_two")
    assert any(
        list(c.args) == [n, delai]
        or (c.args[:1] == (n,) and c.kwargs.get("delai") == delai)
        or c.kwargs == {"n": n, "delai": delai}
        for c in appels
    ), (
        f"{appel} n'a pas parcouru powers_of_two({n}, {delai}) (appels : "
        f"{show([(c.args, c.kwargs) for c in appels])}) ; attendu une compréhension "
        "asynchrone sur ce générateur"
    )
    assert abs(ex.elapsed - n * delai) < TOLERANCE, (
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)} ; attendu à {fmt_t(n * delai)} : la "
        f"compréhension lit les {n} valeurs du générateur, {delai} s chacune{blocking_note(ex)}"
    )


# -- one after the other, or together -------------------------------------------------------


@pytest.mark.timeline
@given(tailles=TAILLES, delai=DELAIS)
@example(tailles=MELANGE[0], delai=MELANGE[1])
def test_une_apres_l_autre_somme(student: Any, tailles: list[int], delai: float) -> None:
    appel, ex = _parcourir(student, "une_apres_l_autre", tailles, delai)
    somme = _verifier_fin(ex, appel, tailles, delai, ensemble=False)
    _verifier_duree_renvoyee(ex, appel, tailles, somme)


@pytest.mark.timeline
@given(tailles=TAILLES, delai=DELAIS)
@example(tailles=MELANGE[0], delai=MELANGE[1])
def test_ensemble_le_plus_long(student: Any, tailles: list[int], delai: float) -> None:
    appel, ex = _parcourir(student, "ensemble", tailles, delai)
    plus_long = _verifier_fin(ex, appel, tailles, delai, ensemble=True)
    appels = ex.calls_of("consommer")
    assert len(appels) == len(tailles), (
        f"{appel} a appelé consommer {len(appels)} fois ; attendu {len(tailles)}, une fois par "
        "taille"
    )
    tard = [c for c in appels if _debut(c, ex.t0) >= TOLERANCE]
    assert not tard, (
        f"{appel} a lancé consommer{show(tard[0].args) if tard else ''} à "
        f"{fmt_t(_debut(tard[0], ex.t0)) if tard else ''} ; attendu tous les consommer lancés "
        f"ensemble à {fmt_t(0)}"
    )
    _verifier_duree_renvoyee(ex, appel, tailles, plus_long)


def _lignes_de(ex: Execution, k: int) -> list[tuple[float, str]]:
    prefixe = f"Générateur {k} :"
    return [(ln.t, norm(ln.text)) for ln in ex.lines if norm(ln.text).startswith(prefixe)]


def _verifier_lignes(
    ex: Execution, appel: str, k: int, taille: int, debut: float, delai: float
) -> None:
    lignes = _lignes_de(ex, k)
    attendu = [f"Générateur {k} : {v}" for v in _puissances(taille)]
    # Numbered from 0, every generator's lines carry the number of the one before.
    decale = (
        " ; des lignes « Générateur 0 : … » ont été affichées : les générateurs se comptent à "
        "partir de 1 (le premier est « Générateur 1 »)"
        if _lignes_de(ex, 0)
        else ""
    )
    assert [t for _, t in lignes] == attendu, (
        f"{appel} a affiché pour le générateur {k} les lignes {show([t for _, t in lignes])} ; "
        f"attendu {show(attendu)}, une par valeur de powers_of_two({taille}, {delai}){decale}"
    )
    for i, (t, texte) in enumerate(lignes):
        moment = debut + (i + 1) * delai
        assert abs(t - moment) < TOLERANCE, (
            f"{appel} a affiché « {texte} » à {fmt_t(t)} ; attendu à {fmt_t(moment)}, au "
            "moment où la valeur arrive, pas une fois la liste complète"
            f"{blocking_note(ex)}"
        )


@pytest.mark.timeline
@given(tailles=TAILLES, delai=DELAIS)
@example(tailles=MELANGE[0], delai=MELANGE[1])
def test_lignes_au_fil_de_l_eau(student: Any, tailles: list[int], delai: float) -> None:
    appel, ex = _parcourir(student, "ensemble", tailles, delai)
    for k, taille in enumerate(tailles, start=1):
        _verifier_lignes(ex, appel, k, taille, 0.0, delai)
    appel, ex = _parcourir(student, "une_apres_l_autre", tailles, delai)
    avant = 0
    for k, taille in enumerate(tailles, start=1):
        _verifier_lignes(ex, appel, k, taille, avant * delai, delai)
        avant += taille


@given(tailles=TAILLES, delai=DELAIS)
@example(tailles=[2, 2], delai=0.5)
@example(tailles=[5, 5, 5, 4], delai=0.99)
@example(tailles=MELANGE[0], delai=MELANGE[1])
def test_ligne_de_duree(student: Any, tailles: list[int], delai: float) -> None:
    for nom, debut, duree in (
        ("une_apres_l_autre", "Une après l'autre", sum(tailles) * delai),
        ("ensemble", "Ensemble", max(tailles) * delai),
    ):
        appel = f"{nom}({tailles}, {delai})"
        ex = run(require(student, nom, coroutine=True), tailles, delai)
        textes = [norm(t) for t in ex.texts if t.strip()]
        # The figure the call returned, when it returned one: this test checks the format.
        valeur = ex.value
        mesure = valeur[1] if isinstance(valeur, tuple) and len(valeur) == 2 else None
        if isinstance(mesure, (int, float)) and not isinstance(mesure, bool):
            duree = float(mesure)
        attendu = f"{debut} : {duree:.2f} s"
        assert textes, f"{appel} n'a rien affiché ; attendu en dernier « {attendu} »"
        assert textes[-1] == attendu, (
            f"{appel} : la dernière ligne affichée n'est pas la ligne de durée attendue, écrite "
            f"avec deux chiffres après la virgule{line_diff(textes[-1], attendu)}"
        )
