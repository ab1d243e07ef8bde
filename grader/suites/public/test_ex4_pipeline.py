"""Public tests of ex4_pipeline, on the statement's data: URLS, the given recuperer and analyser.

Run them with `python -m grader --only ex4_pipeline`. The fetch times are drawn
at random, as in the statement (the executor seeds `random` for each test, so
the draws are the same on every run); the tests spy on `recuperer` to know when
each item reached the queue.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from grader.judge.harness import (
    TOLERANCE,
    DeadlockError,
    Execution,
    Function,
    TimeBudgetError,
    norm,
    require,
    run,
    show,
)

if TYPE_CHECKING:
    # Only for the annotations: the harness hands these records out without naming them.
    from grader.protocol import Recorded


TEMPS_TOTAL = re.compile(r"^Temps total : (\d+\.\d\d) ?s$")
COMPARAISON = re.compile(r"^1 consommateur : (\d+\.\d\d) ?s / 2 consommateurs : (\d+\.\d\d) ?s$")


def _executer(appel: str, fn: Function, *args: Any, **options: Any) -> Execution:
    """Run, turning a deadlock or a blocked loop into a failure that says which call never ended."""
    try:
        return run(fn, *args, **options)
    except DeadlockError as exc:
        raise AssertionError(
            f"{appel} ne se termine jamais : {exc.describe()}. Une tâche qui attend un "
            "élément que personne ne déposera bloque tout le programme"
        ) from None
    except TimeBudgetError as exc:
        # Without a blocking call to point at, the verdict's own words are the best ones.
        bloquants = [b for b in exc.blocking if not b.spinning]
        if not bloquants:
            raise
        ou = f" ({bloquants[0].where})" if bloquants[0].where else ""
        raise AssertionError(
            f"{appel} tourne encore après {exc.budget:.0f} s de temps simulé : time.sleep"
            f"{ou} a bloqué l'event loop {len(bloquants)} fois, et pendant ce temps aucune "
            "autre tâche ne peut avancer (ni déposer dans la file, ni analyser) ; dans une "
            "coroutine, on attend avec await (voir « Les pièges classiques »)"
        ) from None


def planning(arrivees: list[float], analyse: float, k: int) -> tuple[list[float], float]:
    """Start of each analysis (in arrival order) and the end of the last one, with `k`
    consumers: items join the queue as they arrive; each goes to the first free consumer."""
    libres = [0.0] * k
    debuts = []
    for arrivee in sorted(arrivees):
        i = min(range(k), key=libres.__getitem__)
        debut = max(arrivee, libres[i])
        libres[i] = debut + analyse
        debuts.append(debut)
    return debuts, (max(libres) if debuts else 0.0)


def _arrivees(appels: list[Recorded], depuis: float) -> list[float]:
    """When each recorded fetch ended, from `depuis`."""
    return [a.end - depuis for a in appels if a.end is not None]


def test_resultats_par_defaut(student: Any) -> None:
    fn = require(student, "pipeline", coroutine=True)
    ex = _executer("pipeline()", fn)
    valeur = ex.value
    assert isinstance(valeur, tuple) and len(valeur) == 2 and isinstance(valeur[0], dict), (
        f"pipeline() a renvoyé {show(valeur)} ; attendu un couple (resultats, temps_total) "
        "dont le premier élément est le dictionnaire adresse -> valeur analysée"
    )
    resultats = valeur[0]
    urls = student.URLS
    for url in urls:
        n = int(url.rsplit("/", 1)[-1])
        attendu = n + 2 * n + 3 * n
        assert url in resultats, (
            f"pipeline() : l'adresse {url} manque dans le dictionnaire renvoyé ; attendu "
            f"resultats[{url!r}] = {attendu}, la valeur renvoyée par analyser([{n}, {2 * n}, "
            f"{3 * n}])"
        )
        assert resultats[url] == attendu, (
            f"pipeline() : resultats[{url!r}] vaut {show(resultats[url])} ; attendu "
            f"{attendu}, la valeur renvoyée par analyser([{n}, {2 * n}, {3 * n}])"
        )
    en_trop = [cle for cle in resultats if cle not in urls]
    assert not en_trop, (
        f"pipeline() : le dictionnaire renvoyé contient aussi {show(en_trop)} ; attendu "
        "seulement les adresses de URLS"
    )


@pytest.mark.timeline
def test_duree_par_defaut(student: Any) -> None:
    fn = require(student, "pipeline", coroutine=True)
    require(student, "recuperer", coroutine=True)
    # The given recuperer is spied on, not replaced: its random fetch times are recorded.
    ex = _executer("pipeline()", fn, spies=["recuperer"])
    urls = student.URLS
    appels = ex.calls_of("recuperer")
    # Without this, a pipeline that fetches nothing would be expected to last 0 s.
    for url in urls:
        fois = sum(1 for a in appels if a.args[:1] == (url,))
        assert fois == 1, (
            f"pipeline() a appelé recuperer({url!r}) {fois} fois ; attendu une fois par "
            "adresse de URLS : le producteur récupère chaque adresse, et les consommateurs "
            "analysent chaque lot"
        )
    arrivees = _arrivees(appels, ex.t0)
    _, attendu = planning(arrivees, student.DUREE_ANALYSE, 2)
    tirage = ", ".join(f"{t:.2f} s" for t in sorted(arrivees))
    assert abs(ex.elapsed - attendu) < TOLERANCE, (
        f"pipeline() a duré {ex.elapsed:.2f} s ; attendu {attendu:.2f} s avec les "
        f"récupérations tirées (finies à {tirage or 'aucune'}) : chaque lot part dans la file "
        "dès sa récupération, et chacun des deux consommateurs l'analyse dès qu'il est libre"
    )
    valeur = ex.value
    assert isinstance(valeur, tuple) and len(valeur) == 2, (
        f"pipeline() a renvoyé {show(valeur)} ; attendu un couple (resultats, temps_total)"
    )
    elapsed = valeur[1]
    assert (
        isinstance(elapsed, (int, float))
        and not isinstance(elapsed, bool)
        and abs(elapsed - attendu) < TOLERANCE
    ), (
        f"pipeline() a duré {ex.elapsed:.2f} s mais a renvoyé le temps total {show(elapsed)} ; "
        f"attendu {attendu:.2f}, mesuré avec time.perf_counter()"
    )
    ligne = ex.first("Temps total")
    assert ligne is not None, (
        f"pipeline() n'a pas affiché la ligne « Temps total : {attendu:.2f}s »"
    )
    lu = TEMPS_TOTAL.match(norm(ligne.text))
    assert lu is not None and abs(float(lu.group(1)) - attendu) < 0.01 + TOLERANCE, (
        f"pipeline() a affiché « {ligne.text.strip()} » ; attendu « Temps total : {attendu:.2f}s »"
    )


@pytest.mark.timeline
def test_comparaison_par_defaut(student: Any) -> None:
    fn = require(student, "comparer", coroutine=True)
    require(student, "recuperer", coroutine=True)
    ex = _executer("comparer()", fn, spies=["recuperer"])
    valeur = ex.value
    assert (
        isinstance(valeur, tuple)
        and len(valeur) == 2
        and all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in valeur)
    ), f"comparer() a renvoyé {show(valeur)} ; attendu un couple de durées (t1, t2) en secondes"
    t1, t2 = valeur
    n = len(student.URLS)
    appels = ex.calls_of("recuperer")
    assert len(appels) == 2 * n, (
        f"comparer() a appelé recuperer {len(appels)} fois ; attendu {2 * n} : les {n} "
        "adresses une fois avec un consommateur, puis une fois avec deux"
    )
    # The first run's fetches all start before the second run's.
    appels = sorted(appels, key=lambda a: a.start)
    premiers, seconds = appels[:n], appels[n:]
    debut2 = seconds[0].start
    analyse = student.DUREE_ANALYSE
    _, a1 = planning(_arrivees(premiers, ex.t0), analyse, 1)
    _, a2 = planning(_arrivees(seconds, debut2), analyse, 2)
    assert abs(t1 - a1) < TOLERANCE and abs(t2 - a2) < TOLERANCE, (
        f"comparer() a renvoyé ({t1:.2f}, {t2:.2f}) ; attendu ({a1:.2f}, {a2:.2f}) avec les "
        "durées tirées : le pipeline avec un consommateur, puis avec deux"
    )
    assert t2 < t1, (
        f"comparer() a renvoyé t1 = {t1:.2f} s et t2 = {t2:.2f} s ; attendu t2 < t1 : deux "
        "consommateurs analysent deux lots à la fois"
    )
    ligne = next((ln for ln in ex.lines if norm(ln.text).startswith("1 consommateur")), None)
    attendue = f"1 consommateur : {t1:.2f}s / 2 consommateurs : {t2:.2f}s"
    assert ligne is not None, f"comparer() n'a pas affiché la ligne « {attendue} »"
    lu = COMPARAISON.match(norm(ligne.text))
    assert lu is not None and all(
        abs(float(x) - t) < 0.01 + TOLERANCE for x, t in zip(lu.groups(), (t1, t2), strict=True)
    ), f"comparer() a affiché « {ligne.text.strip()} » ; attendu « {attendue} »"
