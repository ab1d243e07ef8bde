"""Hidden tests of ex2_telechargeur: concurrency, completion order, timing, default draw.

Every property that holds for any input is checked on generated inputs
(names and durations the student cannot guess), so a program tuned to
FICHIERS or to the statement's sample fails. Durations are distinct
tenths of a second: no two downloads end at the same instant, so the
completion order is never ambiguous.
"""

from __future__ import annotations

import random
import re
import string
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from grader.harness import Execution, Line, fmt_t, now, require, run

# Virtual times are exact to the microsecond: a hundredth of a second leaves room
# only for rounding, never for a wrong schedule.
TOLERANCE = 0.005

NOMS = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6)


@st.composite
def jeux_de_durees(draw: st.DrawFn) -> dict[str, float]:
    """1 to 8 files with generated names and distinct durations from 0.1 s to 9.9 s."""
    n = draw(st.integers(min_value=1, max_value=8))
    noms = draw(st.lists(NOMS, min_size=n, max_size=n, unique=True))
    dixiemes = draw(
        st.lists(st.integers(min_value=1, max_value=99), min_size=n, max_size=n, unique=True)
    )
    return {f"{nom}.zip": d / 10 for nom, d in zip(noms, dixiemes, strict=True)}


# Launched in an order that is neither the completion order nor its reverse,
# with names that are not those of FICHIERS: checked before any generated case.
MELANGE = {"gros.zip": 3.4, "petit.zip": 0.6, "moyen.zip": 1.8, "video.zip": 5.2, "doc.zip": 1.1}


# -- helpers ----------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split())


def _appel(durees: dict[str, float] | None) -> str:
    return "telecharger_tout()" if durees is None else f"telecharger_tout({durees})"


def _lancer(student: Any, durees: dict[str, float] | None) -> Execution:
    fn = require(student, "telecharger_tout", coroutine=True)
    return run(fn) if durees is None else run(fn, durees)


def _ligne_de(ex: Execution, nom: str) -> Line | None:
    """The progress line of `nom`: it starts with the name, then « terminé »."""
    debut = f"{nom} termin"
    return next((ln for ln in ex.lines if _norm(ln.text).startswith(debut)), None)


def _noms_affiches(ex: Execution, noms: list[str]) -> list[str]:
    """The names of the progress lines, in the order they were printed."""
    vus = []
    for ln in ex.lines:
        texte = _norm(ln.text)
        for nom in noms:
            if texte.startswith(f"{nom} termin"):
                vus.append(nom)
                break
    return vus


def _resultat(ex: Execution, appel: str) -> tuple[float, str]:
    valeur = ex.value
    assert isinstance(valeur, tuple) and len(valeur) == 2, (
        f"{appel} a renvoyé {valeur!r} ; attendu un couple (temps_total, nom_le_plus_lent)"
    )
    total, nom = valeur
    assert isinstance(total, (int, float)) and not isinstance(total, bool), (
        f"{appel} a renvoyé {valeur!r} : le premier élément doit être le temps total en "
        "secondes (un nombre)"
    )
    return float(total), nom


def _note_blocage(ex: Execution) -> str:
    """Points at a blocking time.sleep, the usual cause of a serialised schedule."""
    if not ex.blocking:
        return ""
    appel = ex.blocking[0]
    ou = f" ({appel.where})" if appel.where else ""
    return (
        f". Attention : un appel bloquant a figé tout le programme pendant "
        f"{appel.duration:.2f} s{ou} ; dans une coroutine, time.sleep empêche les autres "
        "tâches d'avancer (voir « Les pièges classiques »)"
    )


_TROP_TOT = (
    " : trop tôt, avant la fin du téléchargement ; une attente appelée sans await ne "
    "s'exécute pas (voir « Les pièges classiques »)"
)


def _manquant(appel: str, nom: str) -> str:
    return (
        f"{appel} n'a affiché aucune ligne « {nom} terminé (…s) » ; attendu une ligne par "
        "fichier, au moment où son téléchargement se termine"
    )


# -- tests --------------------------------------------------------------------------------


@given(durees=jeux_de_durees())
@example(durees=MELANGE)
def test_total_egal_au_plus_long(student: Any, durees: dict[str, float]) -> None:
    appel = _appel(durees)
    ex = _lancer(student, durees)
    plus_long = max(durees.values())
    somme = sum(durees.values())
    if abs(ex.elapsed - plus_long) >= TOLERANCE:
        if len(durees) > 1 and abs(ex.elapsed - somme) < TOLERANCE:
            cause = (
                " : c'est la somme des durées, les téléchargements se sont faits l'un après "
                "l'autre au lieu d'en même temps"
            )
        elif ex.elapsed < plus_long:
            cause = _TROP_TOT
        else:
            cause = ""
        raise AssertionError(
            f"{appel} s'est terminé à {fmt_t(ex.elapsed)}{cause} ; attendu à "
            f"{fmt_t(plus_long)}, la durée du plus long téléchargement{_note_blocage(ex)}"
        )
    total, _ = _resultat(ex, appel)
    assert abs(total - plus_long) < TOLERANCE, (
        f"{appel} a duré {ex.elapsed:.2f} s mais a renvoyé un temps total de {total:.2f} s ; "
        f"attendu {plus_long:.2f} s, le temps mesuré avec time.perf_counter() entre le début "
        "et la fin des téléchargements"
    )


@given(durees=jeux_de_durees())
@example(durees=MELANGE)
def test_ordre_d_achevement(student: Any, durees: dict[str, float]) -> None:
    appel = _appel(durees)
    ex = _lancer(student, durees)
    noms = list(durees)
    for nom in noms:
        assert _ligne_de(ex, nom) is not None, _manquant(appel, nom)
    attendu = sorted(noms, key=durees.__getitem__)
    obtenu = _noms_affiches(ex, noms)
    lance = " ; c'est l'ordre de lancement" if obtenu == noms and noms != attendu else ""
    assert obtenu == attendu, (
        f"{appel} a affiché les fichiers dans l'ordre {', '.join(obtenu)}{lance} ; attendu "
        f"{', '.join(attendu)}, l'ordre dans lequel les téléchargements se terminent "
        "(du plus court au plus long)"
    )


@given(durees=jeux_de_durees())
@example(durees=MELANGE)
def test_affiche_a_l_achevement(student: Any, durees: dict[str, float]) -> None:
    appel = _appel(durees)
    ex = _lancer(student, durees)
    for nom in sorted(durees, key=durees.__getitem__):
        ligne = _ligne_de(ex, nom)
        assert ligne is not None, _manquant(appel, nom)
        if ligne.t < durees[nom]:
            ecart = _TROP_TOT
        else:
            ecart = " : trop tard, la ligne a attendu la fin d'autres téléchargements"
        assert abs(ligne.t - durees[nom]) < TOLERANCE, (
            f"{appel} : « {nom} terminé » affiché à {fmt_t(ligne.t)}{ecart} ; attendu à "
            f"{fmt_t(durees[nom])}, dès la fin de son téléchargement{_note_blocage(ex)}"
        )


@given(durees=jeux_de_durees())
@example(durees=MELANGE)
def test_demarrage_simultane(student: Any, monkeypatch: Any, durees: dict[str, float]) -> None:
    appel = _appel(durees)
    require(student, "telecharger", coroutine=True)
    original = student.telecharger
    debuts: dict[str, list[float]] = {}

    # Named after the student's function so tracebacks and messages stay familiar.
    async def telecharger(nom: str, duree: float) -> Any:
        debuts.setdefault(nom, []).append(now())
        return await original(nom, duree)

    # Restored after each example, so the next one wraps the student's function again.
    with monkeypatch.context() as patch:
        patch.setattr(student, "telecharger", telecharger)
        ex = _lancer(student, durees)

    for nom in durees:
        appels = debuts.get(nom, [])
        assert appels, (
            f"{appel} n'a pas appelé telecharger({nom!r}, {durees[nom]}) ; attendu un appel "
            "de telecharger par fichier du dictionnaire reçu"
        )
        assert len(appels) == 1, (
            f"{appel} a appelé {len(appels)} fois telecharger pour {nom} ; attendu une seule fois"
        )
    for nom in sorted(durees, key=lambda n: debuts[n][0]):
        t = debuts[nom][0] - ex.t0
        assert abs(t) < TOLERANCE, (
            f"{appel} : le téléchargement de {nom} a démarré à {fmt_t(t)} ; attendu à "
            f"{fmt_t(0)}, en même temps que tous les autres (une tâche lancée par fichier "
            f"avant d'attendre quoi que ce soit){_note_blocage(ex)}"
        )


@given(durees=jeux_de_durees())
@example(durees=MELANGE)
def test_fichier_le_plus_lent(student: Any, durees: dict[str, float]) -> None:
    appel = _appel(durees)
    ex = _lancer(student, durees)
    attendu = max(durees, key=durees.__getitem__)
    _, nom = _resultat(ex, appel)
    assert nom == attendu, (
        f"{appel} a renvoyé {nom!r} comme fichier le plus lent ; attendu {attendu!r}, "
        f"celui dont le téléchargement dure le plus longtemps ({durees[attendu]:.1f} s)"
    )
    bilan = ex.first("Temps total")
    assert bilan is not None, (
        f"{appel} n'a pas affiché la ligne « Temps total : …s — fichier le plus lent : {attendu} »"
    )
    assert _norm(bilan.text).endswith(f"fichier le plus lent : {attendu}"), (
        f"{appel} a affiché « {bilan.text.strip()} » ; attendu une ligne qui finit par "
        f"« fichier le plus lent : {attendu} »"
    )


DUREE_AFFICHEE = re.compile(r"\(\s*(\d+(?:\.\d+)?)\s*s\s*\)")


@given(graine=st.integers(min_value=0, max_value=2**32 - 1))
def test_tirage_par_defaut(student: Any, graine: int) -> None:
    appel = _appel(None)
    fichiers = list(student.FICHIERS)
    # The same seed replays the draws the contract asks for: one uniform(1, 5) per
    # name of FICHIERS, in the list's order.
    random.seed(graine)
    attendu = {nom: random.uniform(1, 5) for nom in fichiers}
    random.seed(graine)
    ex = _lancer(student, None)

    tirage = ", ".join(f"{nom} : {d:.1f}s" for nom, d in attendu.items())
    for nom in fichiers:
        ligne = _ligne_de(ex, nom)
        assert ligne is not None, (
            f"{appel} n'a affiché aucune ligne « {nom} terminé (…s) » ; sans argument, "
            "chaque fichier de FICHIERS doit être téléchargé"
        )
        lu = DUREE_AFFICHEE.search(ligne.text)
        assert lu is not None, (
            f"{appel} a affiché « {ligne.text.strip()} » ; attendu « {nom} terminé "
            f"({attendu[nom]:.1f}s) », avec la durée du téléchargement"
        )
        # Judged on the printed duration, so a wrong schedule does not fail this test too.
        duree = float(lu.group(1))
        assert 1.0 <= duree <= 5.0, (
            f"{appel} a affiché « {ligne.text.strip()} » : {duree}s n'est pas entre 1 et "
            "5 secondes ; sans argument, chaque durée est tirée avec random.uniform(1, 5)"
        )
        assert abs(duree - attendu[nom]) < 0.05 + TOLERANCE, (
            f"{appel} après random.seed({graine}) a affiché « {ligne.text.strip()} » ; "
            f"attendu « {nom} terminé ({attendu[nom]:.1f}s) ». Un appel de "
            "random.uniform(1, 5) par nom de FICHIERS, dans l'ordre de la liste, donne "
            f"avec cette graine : {tirage}"
        )
