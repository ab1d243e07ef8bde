"""Public tests of ex9_exceptions, on the statement's tasks.

Run them with:  python -m grader --only ex9_exceptions
The grade also counts hidden tests, on other tasks, other delays and other failures.
"""

from __future__ import annotations

from typing import Any

from grader.judge.harness import (
    TOLERANCE,
    Execution,
    StudentError,
    blocking_note,
    fmt_t,
    line_diff,
    norm,
    require,
    run,
    show,
)
from grader.protocol import ErrorInfo

# The statement's data, written out here so that a student who edits TACHES
# is still judged on the statement's tasks.
TACHES: list[dict[str, Any]] = [
    {"nom": "meteo", "delai": 0.1, "resultat": "soleil"},
    {"nom": "trafic", "delai": 0.5, "resultat": "fluide"},
    {"nom": "bourse", "delai": 0.2, "erreur": "ValueError"},
    {"nom": "agenda", "delai": 0.3, "erreur": "KeyError"},
    {"nom": "courrier", "delai": 0.4, "erreur": "ValueError"},
]
MESSAGE_GROUPE = "des tâches ont échoué"
RIEN_ATTENDU = (
    " : rien n'a été attendu ; une coroutine appelée sans await ne s'exécute pas "
    "(voir « Les pièges classiques »)"
)


# The helpers below serve the hidden tests too (they import them): the same runs
# and the same words, on their generated tasks instead of TACHES.


def _lancer(student: Any, nom: str, taches: list[dict[str, Any]]) -> Execution:
    fn = require(student, nom, coroutine=True)
    # Each task's call recorded, for the checks and for the timeline of a failed timing test.
    return run(fn, [dict(t) for t in taches], spies=("tache",))


def _leve(student: Any, nom: str, taches: list[dict[str, Any]]) -> Execution | ErrorInfo:
    """The run, or what the student's code raised (an exception of its own, not a stub)."""
    try:
        return _lancer(student, nom, taches)
    except StudentError as exc:
        if exc.error is None or exc.error.kind != "exception":
            raise
        return exc.error


def _nom_type(erreur: ErrorInfo) -> str:
    return erreur.type.rsplit(".", 1)[-1]


def _court(erreur: ErrorInfo) -> str:
    nom = _nom_type(erreur)
    return f"{nom} : {erreur.message}" if erreur.message else nom


def _paires(valeur: Any) -> Any:
    """A returned dict as its (key, value) pairs, so that the order of its keys counts too."""
    return list(valeur.items()) if isinstance(valeur, dict) else valeur


def _sans_exception(
    student: Any, nom: str, taches: list[dict[str, Any]], appel: str, attendu: str
) -> Execution:
    """The run of a function that must not raise; if it does, a failure that says what it
    raised and when, then `attendu` (what it should have done instead)."""
    ex = _leve(student, nom, taches)
    if isinstance(ex, ErrorInfo):
        raise AssertionError(f"{appel} a levé {_court(ex)} à {fmt_t(ex.at)} ; attendu : {attendu}")
    return ex


# What each function must do instead of raising, whatever the tasks.
COLLECTER_SANS_LEVER = (
    "aucune exception. Avec return_exceptions=True, gather rend les exceptions parmi les "
    "résultats au lieu de les lever"
)
TASKGROUP_RATTRAPE = (
    "l'ExceptionGroup du TaskGroup rattrapé (except*), et l'issue de chaque tâche renvoyée"
)
RAPPORT_SANS_FUITE = (
    "chaque sorte d'exception du groupe traitée par sa clause except*, sans rien laisser "
    "passer (un simple « except ValueError » ne rattrape pas un ExceptionGroup)"
)


def test_collecter_exemple(student: Any) -> None:
    appel = "collecter(TACHES)"
    ex = _sans_exception(student, "collecter", TACHES, appel, COLLECTER_SANS_LEVER)
    attendu = {
        "meteo": "soleil",
        "trafic": "fluide",
        "bourse": "ValueError",
        "agenda": "KeyError",
        "courrier": "ValueError",
    }
    valeur = ex.value
    obtenu = _paires(valeur)
    assert obtenu == list(attendu.items()), (
        f"{appel} a renvoyé {show(valeur)} ; attendu {attendu!r} : le résultat de chaque tâche "
        "réussie, le nom du type de l'exception de chaque tâche en échec, dans l'ordre de TACHES"
    )
    rien = RIEN_ATTENDU if ex.elapsed < TOLERANCE else ""
    if abs(ex.elapsed - 1.5) < TOLERANCE:
        rien = " : c'est la somme des durées, les tâches ont été attendues l'une après l'autre"
    assert abs(ex.elapsed - 0.5) < TOLERANCE, (
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)}{rien} ; attendu à {fmt_t(0.5)}, la durée "
        "de la tâche la plus longue (trafic) : les cinq tâches tournent en même temps"
        f"{blocking_note(ex)}"
    )


def test_tout_ou_rien_exemple(student: Any) -> None:
    appel = "tout_ou_rien(TACHES)"
    ex = _leve(student, "tout_ou_rien", TACHES)
    attendu = f"{MESSAGE_GROUPE} (3 sub-exceptions)"
    if isinstance(ex, Execution):
        raise AssertionError(
            f"{appel} a renvoyé {show(ex.value)} à {fmt_t(ex.elapsed)} ; attendu : lever "
            f"ExceptionGroup(« {MESSAGE_GROUPE} », …) avec les exceptions de bourse, agenda et "
            "courrier"
        )
    assert _nom_type(ex) == "ExceptionGroup", (
        f"{appel} a levé {_court(ex)} ; attendu un ExceptionGroup qui réunit les trois "
        "exceptions (bourse, agenda, courrier)"
    )
    assert norm(ex.message) == attendu, (
        f"{appel} a levé ExceptionGroup « {ex.message} » ; attendu « {attendu} » : le message "
        "donné, et les trois exceptions des tâches en échec, seulement elles"
        f"{line_diff(norm(ex.message), attendu)}"
    )
    assert abs(ex.at - 0.5) < TOLERANCE, (
        f"{appel} a levé son ExceptionGroup à {fmt_t(ex.at)} ; attendu à {fmt_t(0.5)}, une fois "
        "toutes les tâches finies ensemble (trafic, la plus longue, dure 0.5 s), pas au premier "
        "échec ni l'une après l'autre"
    )


def test_rapport_exemple(student: Any) -> None:
    appel = "rapport(TACHES)"
    ex = _sans_exception(student, "rapport", TACHES, appel, RAPPORT_SANS_FUITE)
    attendu = {"ValueError": 2, "KeyError": 1, "ConnectionError": 0}
    valeur = ex.value
    obtenu = _paires(valeur)
    assert obtenu == list(attendu.items()), (
        f"{appel} a renvoyé {show(valeur)} ; attendu {attendu!r} : bourse et courrier lèvent "
        "ValueError, agenda KeyError"
    )
    lignes = [norm(t) for t in ex.texts if not t.startswith("  ")]
    voulues = ["ValueError : 2 échec(s)", "KeyError : 1 échec(s)"]
    vu = " puis ".join(f"« {t} »" for t in lignes) or "rien"
    assert lignes == voulues, (
        f"{appel} a affiché {vu} ; attendu « ValueError : 2 échec(s) » puis « KeyError : 1 "
        "échec(s) », une ligne par sorte d'erreur présente, dans l'ordre des clauses except*"
    )


# Why a TaskGroup cancelled nothing although a task failed: every task went
# to its end, the usual sign of a try/except inside each task.
RIEN_D_ANNULE = (
    ", or rien n'a été annulé : une exception attrapée dans la tâche (un try/except autour de "
    "son travail) ne remonte pas au TaskGroup ; laissez-la sortir de la tâche"
)


def test_avec_taskgroup_exemple(student: Any) -> None:
    appel = "avec_taskgroup(TACHES)"
    ex = _sans_exception(student, "avec_taskgroup", TACHES, appel, TASKGROUP_RATTRAPE)
    attendu = {
        "meteo": "soleil",
        "trafic": "annulée",
        "bourse": "ValueError",
        "agenda": "annulée",
        "courrier": "annulée",
    }
    valeur = ex.value
    obtenu = _paires(valeur)
    sans_annulation = {
        **attendu,
        "trafic": "fluide",
        "agenda": "KeyError",
        "courrier": "ValueError",
    }
    cause = RIEN_D_ANNULE if obtenu == list(sans_annulation.items()) else ""
    assert obtenu == list(attendu.items()), (
        f"{appel} a renvoyé {show(valeur)} ; attendu {attendu!r} : meteo finit à 0.1 s, bourse "
        f"échoue à 0.2 s et le TaskGroup annule alors les tâches qui tournent encore{cause}"
    )
    assert abs(ex.elapsed - 0.2) < TOLERANCE, (
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)} ; attendu à {fmt_t(0.2)}, au moment où "
        "bourse échoue : le TaskGroup annule alors les autres tâches au lieu de les attendre"
        f"{blocking_note(ex)}"
    )
