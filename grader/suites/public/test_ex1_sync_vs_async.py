"""Public tests of ex1_sync_vs_async, on the statement's data.

Run them with:  python -m grader --only ex1_sync_vs_async
The grade also counts hidden tests, with other durations and other values.
"""

from __future__ import annotations

import math
from typing import Any

from grader.judge.harness import (
    TOLERANCE,
    Execution,
    Opaque,
    StudentModule,
    blocking_note,
    norm,
    require,
    run,
    show,
)

USERS = ["alice", "bob", "charlie"]
ORDERS = ["order_1", "order_2"]
INVENTORY = ["item_A", "item_B", "item_C"]
ATTENDU = [USERS, ORDERS, INVENTORY]

# Results are shown in full when they fit: the student compares them with ATTENDU.
LONGUEUR_VALEUR = 400


def _compact(text: str) -> str:
    # The contract allows any white space between words, or none around « : » :
    # compare without it (norm would still tell "synchrone:" from "synchrone :").
    return "".join(text.split())


def _ligne(ex: Execution, prefixe: str) -> str | None:
    """The first printed line that starts with `prefixe`, white space aside, as printed."""
    debut = _compact(prefixe)
    return next((norm(ln.text) for ln in ex.lines if _compact(ln.text).startswith(debut)), None)


def _les_resultats(resultats: Any) -> str:
    """What came back as the results, for « … a renvoyé … » in a message."""
    if isinstance(resultats, Opaque):
        # « les résultats un objet coroutine » would not read: say what came instead.
        return f"comme résultats {show(resultats)}"
    return f"les résultats {show(resultats, LONGUEUR_VALEUR)}"


def _verifier_resultat(ex: Execution, appel: str, duree: float) -> None:
    valeur = ex.value
    assert isinstance(valeur, (tuple, list)) and len(valeur) == 2, (
        f"{appel} a renvoyé {show(valeur, LONGUEUR_VALEUR)} ; "
        "attendu un couple ([users, orders, inventory], elapsed)"
    )
    resultats, elapsed = valeur
    obtenu = list(resultats) if isinstance(resultats, (list, tuple)) else resultats
    assert obtenu == ATTENDU, (
        f"{appel} a renvoyé {_les_resultats(resultats)} ; "
        f"attendu {ATTENDU!r}, dans l'ordre users, orders, inventory"
    )
    assert isinstance(elapsed, (int, float)) and not isinstance(elapsed, bool), (
        f"{appel} a renvoyé {show(elapsed)} comme temps écoulé ; attendu un nombre de secondes"
    )
    assert math.isclose(elapsed, duree, abs_tol=TOLERANCE), (
        f"{appel} a renvoyé un temps écoulé de {elapsed:.2f} s ; attendu {duree:.2f} s, "
        "mesuré avec time.perf_counter() avant et après les appels"
    )


def test_run_sync_exemple(student: StudentModule) -> None:
    run_sync = require(student, "run_sync", coroutine=False)
    ex = run(run_sync)
    assert math.isclose(ex.elapsed, 6.0, abs_tol=TOLERANCE), (
        f"run_sync() a duré {ex.elapsed:.2f} s ; attendu 6.00 s : fetch_users (2 s), "
        "fetch_orders (3 s) et fetch_inventory (1 s) appelées l'une après l'autre"
    )
    _verifier_resultat(ex, "run_sync()", 6.0)
    ligne = _ligne(ex, "Version synchrone")
    assert ligne is not None, "run_sync() n'a pas affiché la ligne « Version synchrone : 6.00 s »"
    assert _compact(ligne) == _compact("Version synchrone : 6.00 s"), (
        f"run_sync() a affiché « {ligne} » ; attendu « Version synchrone : 6.00 s », "
        "le temps écoulé avec deux chiffres après la virgule"
    )


def test_run_async_exemple(student: StudentModule) -> None:
    run_async = require(student, "run_async", coroutine=True)
    ex = run(run_async)
    if math.isclose(ex.elapsed, 6.0, abs_tol=TOLERANCE):
        somme = " : c'est la somme des trois attentes"
    elif ex.elapsed < TOLERANCE:
        somme = " : rien n'a été attendu, un « await » est-il oublié ?"
    else:
        somme = ""
    assert math.isclose(ex.elapsed, 3.0, abs_tol=TOLERANCE), (
        f"run_async() a duré {ex.elapsed:.2f} s{somme} ; attendu 3.00 s, la plus longue "
        f"des trois attentes, car les trois coroutines attendent en même temps{blocking_note(ex)}"
    )
    assert not ex.blocking, (
        f"run_async() a duré 3.00 s mais en bloquant le programme{blocking_note(ex)}"
    )
    _verifier_resultat(ex, "run_async()", 3.0)
    ligne = _ligne(ex, "Version asynchrone")
    assert ligne is not None, "run_async() n'a pas affiché la ligne « Version asynchrone : 3.00 s »"
    assert _compact(ligne) == _compact("Version asynchrone : 3.00 s"), (
        f"run_async() a affiché « {ligne} » ; attendu « Version asynchrone : 3.00 s », "
        "le temps écoulé avec deux chiffres après la virgule"
    )


def test_duree_totale_exemples(student: StudentModule) -> None:
    duree_totale = require(student, "duree_totale", coroutine=False)
    durees = [2.0, 3.0, 1.0]
    for concurrent, attendu, sens in (
        (False, 6.0, "la somme des durées, les attentes se faisant l'une après l'autre"),
        (True, 3.0, "la plus grande durée, les attentes se faisant en même temps"),
    ):
        appel = f"duree_totale({durees}, {concurrent})"
        ex = run(duree_totale, list(durees), concurrent)
        valeur = ex.value
        assert isinstance(valeur, (int, float)) and not isinstance(valeur, bool), (
            f"{appel} a renvoyé {show(valeur)} ; attendu le nombre {attendu}"
        )
        assert math.isclose(valeur, attendu, abs_tol=1e-9), (
            f"{appel} a renvoyé {show(valeur)} ; attendu {attendu}, {sens}"
        )
