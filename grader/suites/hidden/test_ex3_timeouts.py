"""Hidden tests of ex3_timeouts: classification, timing, warnings, silent servers, cleanup.

Every property that holds for any input is checked on generated servers (names,
delays and timeout the student cannot guess), so a program tuned to SERVEURS,
to TIMEOUT or to the statement's sample fails. Delays and timeouts are tenths
of a second and a delay never equals the timeout: whether a server answers in
time is never ambiguous.

Long because it is a list: one function per catalogue test, each with the
generator of its inputs and the French message of each way it can fail.
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
    Line,
    StudentError,
    blocking_note,
    fmt_t,
    line_diff,
    norm,
    require,
    run,
    show,
)

# What a blocking call also defeats here, for blocking_note.
_WAIT_FOR = ", et wait_for ne peut pas l'interrompre"

Serveurs = dict[str, float | None]
Cas = tuple[Serveurs, float]

NOMS = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6)


@st.composite
def reseaux(draw: st.DrawFn, *, min_size: int = 1, au_moins_un_timeout: bool = False) -> Cas:
    """1 to 6 servers with generated names, delays from 0.1 s to 6.0 s (a few silent
    ones), and a timeout from 0.1 s to 4.0 s that no delay equals."""
    dixiemes_timeout = draw(st.integers(min_value=1, max_value=40))
    n = draw(st.integers(min_value=min_size, max_value=6))
    noms = draw(st.lists(NOMS, min_size=n, max_size=n, unique=True))
    # From 1 to 60 but the timeout: 59 values, those from the timeout on moved
    # up by one. (A filter would make a new strategy, checked anew, every draw.)
    dixiemes = [
        d + (d >= dixiemes_timeout)
        for d in draw(st.lists(st.integers(min_value=1, max_value=59), min_size=n, max_size=n))
    ]
    muets = draw(st.sets(st.integers(min_value=0, max_value=max(n - 1, 0)), max_size=2))
    serveurs: Serveurs = {
        nom: None if i in muets else d / 10
        for i, (nom, d) in enumerate(zip(noms, dixiemes, strict=True))
    }
    timeout = dixiemes_timeout / 10
    if au_moins_un_timeout and not _attendu(serveurs, timeout)[1]:
        # The last server becomes late: the property needs one call to cut short.
        serveurs[noms[-1]] = None
    return serveurs, timeout


# Answers listed out of completion order, a silent server, and a server (tardif)
# that answers under TIMEOUT = 2.0 but not under the timeout passed: checked
# before any generated case.
MELANGE: Cas = (
    {"lent": 2.6, "moyen": 1.3, "muet": None, "eclair": 0.2, "tardif": 1.9, "tortue": 4.1},
    1.5,
)


# -- helpers ----------------------------------------------------------------------------


def _appel(serveurs: Serveurs, timeout: float) -> str:
    return f"interroger_tous({serveurs}, {timeout})"


def _lancer(student: Any, serveurs: Serveurs, timeout: float) -> Execution:
    fn = require(student, "interroger_tous", coroutine=True)
    # Each server's call recorded, for the timeline under a failed timing test.
    return run(fn, dict(serveurs), timeout, spies=("interroger_serveur",))


def _a_temps(delai: float | None, timeout: float) -> bool:
    return delai is not None and delai < timeout


def _attendu(serveurs: Serveurs, timeout: float) -> tuple[list[str], list[str]]:
    ont_repondu = [nom for nom, d in serveurs.items() if _a_temps(d, timeout)]
    en_timeout = [nom for nom, d in serveurs.items() if not _a_temps(d, timeout)]
    return ont_repondu, en_timeout


def _fin(delai: float | None, timeout: float) -> float:
    """When the call of one server ends: its answer or its timeout."""
    return delai if delai is not None and delai < timeout else timeout


def _decrit(delai: float | None) -> str:
    return "ne répond jamais" if delai is None else f"répond en {delai:.1f} s"


def _resultat(ex: Execution, appel: str) -> tuple[list[str], list[str]]:
    valeur = ex.value
    forme = (
        isinstance(valeur, tuple)
        and len(valeur) == 2
        and all(isinstance(v, (list, tuple)) for v in valeur)
    )
    assert forme, (
        f"{appel} a renvoyé {show(valeur)} ; attendu un couple de deux listes "
        "(ont_repondu, en_timeout)"
    )
    return list(valeur[0]), list(valeur[1])


def _avertissement(ex: Execution, nom: str) -> Line | None:
    return next((ln for ln in ex.lines if norm(ln.text).startswith(f"Attention : {nom} ")), None)


def _texte_avertissement(nom: str, timeout: float) -> str:
    return f"Attention : {nom} n'a pas répondu en {timeout:.1f}s"


def _texte_resume(ont_repondu: list[str], en_timeout: list[str]) -> str:
    return (
        f"Résumé : {len(ont_repondu)} ont répondu ({', '.join(ont_repondu)}) / "
        f"{len(en_timeout)} en timeout ({', '.join(en_timeout)})"
    )


def _note_constante(student: Any, ex: Execution, timeout: float) -> str:
    """Points at the constant TIMEOUT when the run stopped there instead of at `timeout`."""
    constante = getattr(student, "TIMEOUT", None)
    if (
        isinstance(constante, (int, float))
        and abs(constante - timeout) > TOLERANCE
        and abs(ex.elapsed - constante) < TOLERANCE
    ):
        return (
            f". Le programme s'est arrêté à TIMEOUT = {constante} s : il faut utiliser le "
            f"timeout reçu en argument ({timeout} s), pas la constante"
        )
    return ""


def _verifier_classement(student: Any, serveurs: Serveurs, timeout: float) -> Execution:
    appel = _appel(serveurs, timeout)
    ex = _lancer(student, serveurs, timeout)
    obtenu = _resultat(ex, appel)
    attendu = _attendu(serveurs, timeout)
    if obtenu == attendu:
        return ex
    if sorted(obtenu[0]) == sorted(attendu[0]) and sorted(obtenu[1]) == sorted(attendu[1]):
        raise AssertionError(
            f"{appel} a renvoyé {show(obtenu)} ; attendu {attendu!r} : les bons serveurs, mais "
            "chaque liste doit suivre l'ordre du dictionnaire serveurs, pas l'ordre dans "
            "lequel les réponses sont arrivées"
        )
    constante = getattr(student, "TIMEOUT", None)
    if (
        isinstance(constante, (int, float))
        and abs(constante - timeout) > TOLERANCE
        and obtenu == _attendu(serveurs, constante)
    ):
        raise AssertionError(
            f"{appel} a renvoyé {show(obtenu)} ; attendu {attendu!r}. C'est le classement pour "
            f"TIMEOUT = {constante} s : il faut utiliser le timeout reçu en argument "
            f"({timeout} s), pas la constante"
        )
    erreurs = []
    for nom, delai in serveurs.items():
        if _a_temps(delai, timeout) and nom not in obtenu[0]:
            erreurs.append(f"{nom} ({_decrit(delai)}) devait être dans ont_repondu")
        elif not _a_temps(delai, timeout) and nom not in obtenu[1]:
            erreurs.append(f"{nom} ({_decrit(delai)}) devait être dans en_timeout")
    detail = " ; ".join(erreurs) if erreurs else "des noms en trop ou en double"
    raise AssertionError(
        f"{appel} a renvoyé {show(obtenu)} ; attendu {attendu!r} avec un timeout de "
        f"{timeout} s : {detail}{blocking_note(ex, _WAIT_FOR)}"
    )


# Timeouts whose wrong formatting shows in the warning: an integer (`{timeout}`
# prints `2`, not `2.0`) and hundredths (`1.25` is shown `1.2`).
FORMATS_ENTIER: Cas = ({"vif": 0.4, "muet": None, "lent": 3.0}, 2)
FORMATS_CENTIEMES: Cas = ({"vif": 0.4, "lent": 3.0}, 1.25)


# -- tests --------------------------------------------------------------------------------


@given(cas=reseaux())
@example(cas=MELANGE)
def test_classement_quelconque(student: Any, cas: Cas) -> None:
    serveurs, timeout = cas
    _verifier_classement(student, serveurs, timeout)


@pytest.mark.timeline(schedule="ensemble")
@given(cas=reseaux())
@example(cas=MELANGE)
def test_duree_totale(student: Any, cas: Cas) -> None:
    serveurs, timeout = cas
    appel = _appel(serveurs, timeout)
    ex = _lancer(student, serveurs, timeout)
    fins = {nom: _fin(d, timeout) for nom, d in serveurs.items()}
    attendu = max(fins.values())
    if abs(ex.elapsed - attendu) < TOLERANCE:
        return
    dernier = max(fins, key=fins.__getitem__)
    if _a_temps(serveurs[dernier], timeout):
        pourquoi = f"le délai du serveur le plus lent ({dernier}, {fins[dernier]:.1f} s)"
    else:
        pourquoi = f"le timeout ({timeout} s), puisque {dernier} {_decrit(serveurs[dernier])}"
    somme = sum(fins.values())
    constante = _note_constante(student, ex, timeout)
    if constante:
        cause = ""
    elif len(serveurs) > 1 and abs(ex.elapsed - somme) < TOLERANCE:
        cause = (
            " : c'est la somme des attentes, les serveurs ont été interrogés l'un après "
            "l'autre au lieu d'en même temps"
        )
    elif ex.elapsed > timeout + TOLERANCE:
        cause = " : plus long que le timeout, un appel en retard n'a pas été interrompu"
    elif ex.elapsed < TOLERANCE:
        cause = (
            " : rien n'a été attendu ; une coroutine appelée sans await ne s'exécute pas "
            "(voir « Les pièges classiques »)"
        )
    else:
        cause = ""
    raise AssertionError(
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)}{cause} ; attendu à {fmt_t(attendu)}, "
        f"{pourquoi} : tous les serveurs sont interrogés en même temps et aucun n'est "
        f"attendu plus que le timeout{constante}{blocking_note(ex, _WAIT_FOR)}"
    )


@pytest.mark.timeline(schedule="ensemble")
@given(cas=reseaux(au_moins_un_timeout=True))
@example(cas=MELANGE)
@example(cas=FORMATS_ENTIER)
@example(cas=FORMATS_CENTIEMES)
def test_avertissement_au_timeout(student: Any, cas: Cas) -> None:
    serveurs, timeout = cas
    appel = _appel(serveurs, timeout)
    ex = _lancer(student, serveurs, timeout)
    for nom, delai in serveurs.items():
        ligne = _avertissement(ex, nom)
        texte = _texte_avertissement(nom, timeout)
        if _a_temps(delai, timeout):
            assert ligne is None, (
                f"{appel} a affiché « {ligne.text.strip() if ligne else ''} » alors que {nom} "
                f"{_decrit(delai)}, avant le timeout de {timeout} s ; attendu : aucun "
                "avertissement pour un serveur qui a répondu"
            )
            continue
        assert ligne is not None, (
            f"{appel} n'a pas affiché « {texte} » ; attendu au moment où le timeout de {nom} "
            f"expire, à {fmt_t(timeout)} ({nom} {_decrit(delai)})"
        )
        assert norm(ligne.text) == texte, (
            f"{appel} : la ligne de {nom} n'est pas celle attendue, avec le timeout reçu en "
            "argument écrit avec un chiffre après la virgule"
            f"{line_diff(norm(ligne.text), texte)}"
        )
        assert abs(ligne.t - timeout) < TOLERANCE, (
            f"{appel} a affiché « {texte} » à {fmt_t(ligne.t)} ; attendu à {fmt_t(timeout)}, "
            f"au moment même où le timeout de {nom} expire (tous les appels partent à "
            f"{fmt_t(0)}){blocking_note(ex, _WAIT_FOR)}"
        )


# How long a silent server is given: it must still be waiting at the end.
LIMITE_MUET = 100.0

# Silent servers among others, then nothing but silent servers.
MUETS: list[Cas] = [
    ({"muet": None, "rapide": 0.3, "silence": None, "posé": 0.9}, 1.2),
    ({"fantome": None, "absent": None}, 0.7),
]


def test_serveurs_muets(student: Any) -> None:
    interroger_serveur = require(student, "interroger_serveur", coroutine=True)
    appel = "interroger_serveur('muet', None)"
    try:
        ex = run(interroger_serveur, "muet", None, limit=LIMITE_MUET)
    except StudentError as exc:
        erreur = exc.error
        # An exception of the student's own is worded here, by the test that knows what
        # should have happened instead; NotImplementedError, sys.exit and the like keep
        # the harness's wording.
        if erreur is None or erreur.kind not in ("exception", "base_exception"):
            raise
        nom = erreur.type.rsplit(".", 1)[-1]
        ou = f" ({erreur.where})" if erreur.where else ""
        raise AssertionError(
            f"{appel} a levé {nom}{ou} à {fmt_t(erreur.at)} ; attendu : ne jamais répondre "
            "et ne rien lever, juste attendre sans fin. C'est le wait_for de interroger_tous "
            "qui décide quand abandonner"
        ) from None
    if not ex.still_running:
        rien = (
            " : tout de suite, sans rien attendre ; un délai None veut dire que le serveur ne "
            "répond jamais"
            if ex.elapsed < TOLERANCE
            else ""
        )
        raise AssertionError(
            f"{appel} a renvoyé {show(ex.value)} à {fmt_t(ex.elapsed)}{rien} ; attendu : ne "
            f"jamais répondre, même après {LIMITE_MUET:.0f} s d'attente"
        )
    assert not any(b.spinning for b in ex.blocking), (
        f"{appel} ne répond jamais, comme demandé{blocking_note(ex)} ; attendu : une attente "
        "qui laisse le processeur aux autres tâches, comme « await asyncio.sleep(math.inf) » "
        "ou « await asyncio.Event().wait() »"
    )
    # Only the verdict on silent servers here: when they are dropped is duree_totale's
    # and avertissement_au_timeout's to judge, so one mistake is not charged three times.
    for serveurs, timeout in MUETS:
        _verifier_classement(student, serveurs, timeout)


@given(cas=reseaux(au_moins_un_timeout=True))
@example(cas=MELANGE)
def test_aucune_tache_restante(student: Any, cas: Cas) -> None:
    serveurs, timeout = cas
    appel = _appel(serveurs, timeout)
    ex = _lancer(student, serveurs, timeout)
    assert not ex.pending, (
        f"{appel} a rendu la main à {fmt_t(ex.elapsed)} alors que {len(ex.pending)} tâche(s) "
        f"tournaient encore : {' ; '.join(ex.pending)}. Attendu : aucune, un appel qui "
        "dépasse le timeout doit être annulé, pas laissé en arrière-plan"
    )
    # No task left only counts for a call that did its work: every server classified once,
    # in one list or the other (which one is classement_quelconque's to judge).
    ont_repondu, en_timeout = _resultat(ex, appel)
    assert Counter(ont_repondu + en_timeout) == Counter(list(serveurs)), (
        f"{appel} a renvoyé {show(ex.value)} ; attendu chacun des serveurs "
        f"({', '.join(serveurs)}) une fois, dans ont_repondu ou dans en_timeout : sans cela, "
        "rien ne dit que les appels ont été lancés puis annulés"
    )


LIMITES: list[tuple[str, Cas]] = [
    ("aucun serveur", ({}, 1.0)),
    ("tous en timeout", ({"lent": 2.5, "muet": None, "las": 1.1}, 0.8)),
    ("aucun timeout", ({"vif": 0.2, "agile": 0.7}, 3.0)),
]


def test_cas_limites(student: Any) -> None:
    for cas, (serveurs, timeout) in LIMITES:
        appel = _appel(serveurs, timeout)
        ex = _verifier_classement(student, serveurs, timeout)
        resume = _texte_resume(*_attendu(serveurs, timeout))
        lignes = [norm(t) for t in ex.texts if norm(t).startswith("Résumé")]
        vu = " puis ".join(f"« {t} »" for t in lignes) or "aucun résumé"
        assert lignes == [resume], (
            f"{appel} ({cas}) a affiché {vu} ; attendu une seule ligne « {resume} » (un "
            "groupe vide s'écrit « 0 » et « () »)"
        )
        en_timeout = _attendu(serveurs, timeout)[1]
        for nom in serveurs:
            lignes = [t for t in ex.texts if norm(t).startswith(f"Attention : {nom} ")]
            nombre = 1 if nom in en_timeout else 0
            assert len(lignes) == nombre, (
                f"{appel} ({cas}) a affiché {len(lignes)} avertissement(s) « Attention : "
                f"{nom} … » ; attendu {nombre} : un avertissement par serveur en timeout, "
                "aucun pour un serveur qui a répondu"
            )


@given(cas=reseaux(min_size=0))
@example(cas=MELANGE)
def test_resume_quelconque(student: Any, cas: Cas) -> None:
    serveurs, timeout = cas
    appel = _appel(serveurs, timeout)
    ex = _lancer(student, serveurs, timeout)
    attendu = _texte_resume(*_attendu(serveurs, timeout))
    resumes = [ln for ln in ex.lines if norm(ln.text).startswith("Résumé")]
    assert resumes, f"{appel} n'a pas affiché le résumé ; attendu « {attendu} »"
    assert len(resumes) == 1, (
        f"{appel} a affiché {len(resumes)} lignes « Résumé … » ; attendu une seule, à la fin"
    )
    assert norm(resumes[0].text) == attendu, (
        f"{appel} : le résumé n'est pas celui attendu, avec les nombres de serveurs, puis "
        "leurs noms séparés par « , » dans l'ordre du dictionnaire"
        f"{line_diff(norm(resumes[0].text), attendu)}"
    )
    textes = [norm(t) for t in ex.texts]
    position = textes.index(attendu)
    apres = [t for t in textes[position + 1 :] if t.startswith("Attention")]
    assert not apres, (
        f"{appel} a affiché « {apres[0]} » après le résumé ; attendu le résumé en dernier, "
        "une fois tous les appels terminés"
    )
