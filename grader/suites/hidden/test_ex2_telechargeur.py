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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader.judge.harness import (
    TOLERANCE,
    Execution,
    Line,
    StudentModule,
    blocking_note,
    fmt_t,
    line_diff,
    norm,
    require,
    run,
    show,
)

if TYPE_CHECKING:
    from grader.protocol import Recorded


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


# Durations whose wrong formatting shows: an integer (`{duree}` prints `2`, not
# `2.0`), hundredths (`1.25` is shown `1.2`), a large value.
FORMATS = {"entier.zip": 2, "centiemes.zip": 1.25, "grand.zip": 12.5}


# -- helpers ----------------------------------------------------------------------------


def _appel(durees: dict[str, float] | None) -> str:
    return "telecharger_tout()" if durees is None else f"telecharger_tout({durees})"


def _lancer(
    student: Any, durees: dict[str, float], *, spies: tuple[str, ...] = ()
) -> tuple[str, Execution]:
    """The call as the messages write it, and its run."""
    fn = require(student, "telecharger_tout", coroutine=True)
    return _appel(durees), run(fn, durees, spies=spies)


def _ligne_de(ex: Execution, nom: str) -> Line | None:
    """The progress line of `nom`: it starts with the name, then « terminé »."""
    debut = f"{nom} termin"
    return next((ln for ln in ex.lines if norm(ln.text).startswith(debut)), None)


def _noms_affiches(ex: Execution, noms: list[str]) -> list[str]:
    """The names of the progress lines, in the order they were printed."""
    vus = []
    for ln in ex.lines:
        texte = norm(ln.text)
        for nom in noms:
            if texte.startswith(f"{nom} termin"):
                vus.append(nom)
                break
    return vus


def _nom_telecharge(appel: Recorded) -> str:
    """The file name a recorded telecharger call was given, by position or by keyword."""
    nom = appel.args[0] if appel.args else appel.kwargs.get("nom")
    # Kept as a key even when it is not a name: it then matches no file of the dictionary.
    return nom if isinstance(nom, str) else show(nom)


def _resultat(ex: Execution, appel: str) -> tuple[float, str]:
    valeur = ex.value
    assert isinstance(valeur, tuple) and len(valeur) == 2, (
        f"{appel} a renvoyé {show(valeur)} ; attendu un couple (temps_total, nom_le_plus_lent)"
    )
    total, nom = valeur
    assert isinstance(total, (int, float)) and not isinstance(total, bool), (
        f"{appel} a renvoyé {show(valeur)} : le premier élément doit être le temps total en "
        "secondes (un nombre)"
    )
    return float(total), nom


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


@pytest.mark.timeline(schedule="ensemble")
@given(durees=jeux_de_durees())
@example(durees=MELANGE)
def test_total_egal_au_plus_long(student: Any, durees: dict[str, float]) -> None:
    appel, ex = _lancer(student, durees)
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
            f"{fmt_t(plus_long)}, la durée du plus long téléchargement{blocking_note(ex)}"
        )
    total, _ = _resultat(ex, appel)
    assert abs(total - plus_long) < TOLERANCE, (
        f"{appel} a duré {ex.elapsed:.2f} s mais a renvoyé un temps total de {total:.2f} s ; "
        f"attendu {plus_long:.2f} s, le temps mesuré avec time.perf_counter() entre le début "
        "et la fin des téléchargements"
    )


@pytest.mark.timeline(schedule="ensemble")
@given(durees=jeux_de_durees())
@example(durees=MELANGE)
def test_ordre_d_achevement(student: Any, durees: dict[str, float]) -> None:
    appel, ex = _lancer(student, durees)
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


@pytest.mark.timeline(schedule="ensemble")
@given(durees=jeux_de_durees())
@example(durees=MELANGE)
@example(durees=FORMATS)
def test_affiche_a_l_achevement(student: Any, durees: dict[str, float]) -> None:
    appel, ex = _lancer(student, durees)
    for nom in sorted(durees, key=durees.__getitem__):
        ligne = _ligne_de(ex, nom)
        assert ligne is not None, _manquant(appel, nom)
        texte = f"{nom} terminé ({durees[nom]:.1f}s)"
        assert norm(ligne.text) == texte, (
            f"{appel} : la ligne de {nom} n'est pas celle attendue, avec la durée reçue "
            f"({durees[nom]!r}) écrite avec un chiffre après la virgule"
            f"{line_diff(norm(ligne.text), texte)}"
        )
        if ligne.t < durees[nom]:
            ecart = _TROP_TOT
        else:
            ecart = " : trop tard, la ligne a attendu la fin d'autres téléchargements"
        assert abs(ligne.t - durees[nom]) < TOLERANCE, (
            f"{appel} : « {nom} terminé » affiché à {fmt_t(ligne.t)}{ecart} ; attendu à "
            f"{fmt_t(durees[nom])}, dès la fin de son téléchargement{blocking_note(ex)}"
        )


@pytest.mark.timeline(schedule="ensemble")
@given(durees=jeux_de_durees())
@example(durees=MELANGE)
def test_demarrage_simultane(student: Any, durees: dict[str, float]) -> None:
    require(student, "telecharger", coroutine=True)
    # The spy wraps the student's own telecharger for this call only: each start is
    # the virtual time at which its coroutine began to run.
    appel, ex = _lancer(student, durees, spies=("telecharger",))
    debuts: dict[str, list[float]] = {}
    for appel_fait in ex.calls_of("telecharger"):
        debuts.setdefault(_nom_telecharge(appel_fait), []).append(appel_fait.start - ex.t0)

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
        t = debuts[nom][0]
        assert abs(t) < TOLERANCE, (
            f"{appel} : le téléchargement de {nom} a démarré à {fmt_t(t)} ; attendu à "
            f"{fmt_t(0)}, en même temps que tous les autres (une tâche lancée par fichier "
            f"avant d'attendre quoi que ce soit){blocking_note(ex)}"
        )


@given(durees=jeux_de_durees())
@example(durees=MELANGE)
def test_fichier_le_plus_lent(student: Any, durees: dict[str, float]) -> None:
    appel, ex = _lancer(student, durees)
    attendu = max(durees, key=durees.__getitem__)
    _, nom = _resultat(ex, appel)
    assert nom == attendu, (
        f"{appel} a renvoyé {show(nom)} comme fichier le plus lent ; attendu {attendu!r}, "
        f"celui dont le téléchargement dure le plus longtemps ({durees[attendu]:.1f} s)"
    )
    bilan = ex.first("Temps total")
    assert bilan is not None, (
        f"{appel} n'a pas affiché la ligne « Temps total : …s — fichier le plus lent : {attendu} »"
    )
    assert norm(bilan.text).endswith(f"fichier le plus lent : {attendu}"), (
        f"{appel} a affiché « {bilan.text.strip()} » ; attendu une ligne qui finit par "
        f"« fichier le plus lent : {attendu} »"
    )


DUREE_AFFICHEE = re.compile(r"\(\s*(\d+(?:\.\d+)?)\s*s\s*\)")


# The statement's FICHIERS: the first list the default draw is checked on.
FICHIERS_DE_L_ENONCE = [f"fichier_{i}.zip" for i in range(1, 6)]

# Other contents for FICHIERS (patched in place for one call): one draw per name, whatever
# the list holds, and never a draw tuned to five names.
LISTES_DE_FICHIERS = st.lists(NOMS, min_size=1, max_size=8, unique=True).map(
    lambda noms: [f"{nom}.zip" for nom in noms]
)


@dataclass
class _Tirage:
    """The executor's `random`, replayed in the judge, for one import of the student's module."""

    module: StudentModule
    hasard: random.Random


_TIRAGE = pytest.StashKey[_Tirage]()


def _tirage_du_test(request: pytest.FixtureRequest, student: StudentModule) -> _Tirage:
    """The replay of the draws the executor's `random` gives in this test, from where it stands.

    The judge can no longer seed the student's process: at the start of each test the
    executor seeds `random` itself with `student.random_seed` (the `Begin` the `student`
    fixture sends), then imports the module. The same string seeds the same stream here.
    Hypothesis runs every example on that one
    import, so the stream moves on from call to call: the replay is kept on the test's
    item and only drawn from, exactly as a right program draws, one uniform(1, 5) per name
    and per call. A new import (another `student`) starts a new replay.
    """
    suivi = request.node.stash.get(_TIRAGE, None)
    if suivi is None or suivi.module is not student:
        suivi = _Tirage(student, random.Random(student.random_seed))
        request.node.stash[_TIRAGE] = suivi
    return suivi


def _duree_recue(appel: Recorded) -> Any:
    """The duration a recorded telecharger call was given, by position or by keyword."""
    return appel.args[1] if len(appel.args) > 1 else appel.kwargs.get("duree")


def _note_tirage(
    ex: Execution, attendu: dict[str, float], affiche: dict[str, float], fichiers: list[str]
) -> str:
    """What the printed durations say about how they were drawn, when they are wrong."""
    recues = [_duree_recue(a) for a in ex.calls_of("telecharger")]
    if recues and all(type(d) is int for d in recues):
        return (
            " ; les durées reçues par telecharger sont des nombres entiers : "
            "random.randint tire des entiers, random.uniform(1, 5) un nombre à virgule"
        )
    if len(affiche) == len(fichiers) and sorted(f"{d:.1f}" for d in affiche.values()) == sorted(
        f"{d:.1f}" for d in attendu.values()
    ):
        return (
            " ; ce sont bien les durées attendues, mais pas attribuées aux fichiers dans "
            "l'ordre de FICHIERS"
        )
    return ""


@given(fichiers=LISTES_DE_FICHIERS)
@example(fichiers=FICHIERS_DE_L_ENONCE)
def test_tirage_par_defaut(
    student: StudentModule, request: pytest.FixtureRequest, fichiers: list[str]
) -> None:
    appel = _appel(None)
    telecharger_tout = require(student, "telecharger_tout", coroutine=True)
    suivi = _tirage_du_test(request, student)
    # One uniform(1, 5) per name of FICHIERS, in the list's order: the next draws of the
    # executor's stream, since every earlier call of this test drew its own share.
    attendu = {nom: suivi.hasard.uniform(1, 5) for nom in fichiers}
    ex = run(telecharger_tout, patch={"FICHIERS": fichiers}, spies=("telecharger",))

    tirage = ", ".join(f"{nom} : {d:.1f}s" for nom, d in attendu.items())
    contenu = (
        ""
        if fichiers == FICHIERS_DE_L_ENONCE
        else (
            f" (pour cet appel, le correcteur a mis dans FICHIERS : {', '.join(fichiers)} ; "
            "telecharger_tout doit lire la liste au moment où il est appelé)"
        )
    )
    affiche: dict[str, float] = {}
    lignes: dict[str, str] = {}
    for nom in fichiers:
        ligne = _ligne_de(ex, nom)
        assert ligne is not None, (
            f"{appel} n'a affiché aucune ligne « {nom} terminé (…s) » ; sans argument, "
            f"chaque fichier de FICHIERS doit être téléchargé{contenu}"
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
        affiche[nom] = duree
        lignes[nom] = ligne.text.strip()
    for nom in fichiers:
        assert abs(affiche[nom] - attendu[nom]) < 0.05 + TOLERANCE, (
            f"{appel} : la durée de {nom} n'est pas celle du tirage. Le correcteur fixe la "
            "graine de random au début du test : un appel de random.uniform(1, 5) par nom de "
            f"FICHIERS, dans l'ordre de la liste, donne ici : {tirage}"
            f"{_note_tirage(ex, attendu, affiche, fichiers)}"
            f"{line_diff(lignes[nom], f'{nom} terminé ({attendu[nom]:.1f}s)')}"
        )
