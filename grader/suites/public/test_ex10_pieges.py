"""Public tests of ex10_pieges, on the statement's profiles.

Run them with:  python -m grader --only ex10_pieges
The grade also counts hidden tests, on other users, other delays and other scores.
"""

from __future__ import annotations

from typing import Any

import pytest

from grader.judge.harness import (
    TOLERANCE,
    Execution,
    Fake,
    fmt_t,
    line_diff,
    norm,
    require,
    run,
    show,
)

# The statement's example. The two blocking functions are replaced by stand-ins that
# block as the given ones do (`time.sleep`, with the statement's delays and results), so
# that a call made on the event loop is named at the student's own line, not inside the
# given function; `journaliser` is the module's own, spied, with the statement's delay.
LECTURES = {1: 1.0, 2: 0.2, 3: 0.5}
PROFILS_LUS: dict[int, dict[str, Any]] = {
    1: {"id": 1, "nom": "alice", "notes": [12, 15, 9]},
    2: {"id": 2, "nom": "bob", "notes": [7, 18]},
    3: {"id": 3, "nom": "chloé", "notes": [14, 11, 16, 10]},
}
SCORES = {1: 450, 2: 373, 3: 673}
DUREE_CALCUL = 0.5
BLOQUANTES = ("lire_profil_bloquant", "calculer_score")


def _exemple(student: Any, fonction: str, arg: Any) -> Execution:
    fn = require(student, fonction, coroutine=True)
    lire = Fake(
        "lire_profil_bloquant",
        asynchronous=False,
        rows={uid: (d, PROFILS_LUS[uid]) for uid, d in LECTURES.items()},
    )
    calculer = Fake(
        "calculer_score",
        asynchronous=False,
        rows=[(PROFILS_LUS[uid], DUREE_CALCUL, SCORES[uid]) for uid in LECTURES],
    )
    return run(
        fn, arg, spies=("journaliser",), fakes=(lire, calculer), patch={"DELAI_JOURNAL": 0.1}
    )


# What each blocking function is, and what lets the loop go on while it runs.
REMEDE = {
    "lire_profil_bloquant": (
        "la lecture bloquante confiée à un thread (asyncio.to_thread), pour que l'event loop "
        "serve les autres requêtes pendant qu'elle attend"
    ),
    "calculer_score": (
        "le calcul confié à l'exécuteur par défaut de la boucle (run_in_executor, ou "
        "asyncio.to_thread), pour que l'event loop reste libre pendant qu'il tourne"
    ),
}


def _verifier_hors_boucle(ex: Execution, appel: str, nom: str) -> None:
    """The blocking function `nom` never ran on the event loop's thread (the hidden tests
    check each function on its own with it)."""
    bloque = ex.blocked_by(nom)
    if bloque:
        premier = bloque[0]
        ou = f" ({premier.where})" if premier.where else ""
        raise AssertionError(
            f"{appel} : {nom} a tourné sur le thread de l'event loop{ou} et l'a bloquée pendant "
            f"{premier.duration:.2f} s (à {fmt_t(premier.at - ex.t0)}) : appelée directement "
            f"dans une coroutine, une fonction synchrone fige tout le programme. Attendu : "
            f"{REMEDE[nom]} (voir « Les pièges classiques »)"
        )


def _verifier_boucle_libre(ex: Execution, appel: str) -> None:
    for nom in BLOQUANTES:
        _verifier_hors_boucle(ex, appel, nom)


def _ligne(ex: Execution, texte: str) -> float | None:
    """When the line `texte` was printed (white space ignored), or None."""
    return next((ln.t for ln in ex.lines if norm(ln.text) == texte), None)


def test_traiter_requete_exemple(student: Any) -> None:
    appel = "traiter_requete(2)"
    ex = _exemple(student, "traiter_requete", 2)
    assert ex.value == 373, (
        f"{appel} a renvoyé {show(ex.value)} ; attendu 373, le score que calculer_score "
        "renvoie pour le profil de bob (7² + 18²). Un appel sans await renvoie un objet "
        "coroutine au lieu de son résultat"
    )
    _verifier_boucle_libre(ex, appel)
    journal = ex.calls_of("journaliser")
    ligne = "[journal] requête 2 : score 373"
    assert journal, (
        f"{appel} n'a jamais exécuté journaliser ; attendu : « {ligne} » écrit au journal. "
        "Appelée sans await, une coroutine n'est qu'un objet qui ne s'exécute pas (Python "
        "prévient seulement « was never awaited ») (voir « Les pièges classiques »)"
    )
    laissee = f" ; une tâche tournait encore : {ex.pending[0]}" if ex.pending else ""
    textes = [norm(t) for t in ex.texts]
    vu = " puis ".join(f"« {t} »" for t in textes)
    assert ligne in textes, (
        f"{appel} a rendu la main à {fmt_t(ex.elapsed)} "
        + (f"après avoir affiché {vu}" if vu else "sans rien afficher")
        + f"{laissee} ; attendu « {ligne} » écrit au journal avant de rendre la main, le "
        "message « requête 2 : score 373 » passé à journaliser"
        + (
            ". Une tâche lancée sans être attendue n'a pas fini quand la fonction rend la main "
            "(voir « Les outils principaux »)"
            if ex.pending
            else ""
        )
        + (line_diff(textes[0], ligne) if len(textes) == 1 else "")
    )
    t = _ligne(ex, ligne)
    assert t is not None and abs(t - 0.8) < TOLERANCE, (
        f"{appel} a écrit « {ligne} » à {fmt_t(t or 0)} ; attendu à {fmt_t(0.8)} : la lecture "
        "(0.2 s), puis le calcul (0.5 s), puis le journal (0.1 s)"
    )
    assert abs(ex.elapsed - 0.8) < TOLERANCE and not ex.pending, (
        f"{appel} a rendu la main à {fmt_t(ex.elapsed)}{laissee} ; attendu à {fmt_t(0.8)}, une "
        "fois sa ligne écrite au journal, sans tâche laissée derrière elle"
    )


@pytest.mark.timeline
def test_servir_exemple(student: Any) -> None:
    appel = "servir([1, 2, 3])"
    ex = _exemple(student, "servir", [1, 2, 3])
    attendu = [450, 373, 673]
    valeur = ex.value
    obtenu = list(valeur) if isinstance(valeur, (list, tuple)) else valeur
    ordre = ""
    if obtenu == [373, 673, 450]:
        ordre = " : ce sont les scores dans l'ordre où les requêtes ont fini"
    assert obtenu == attendu, (
        f"{appel} a renvoyé {show(valeur)}{ordre} ; attendu {attendu}, les scores d'alice, bob "
        "et chloé dans l'ordre des identifiants reçus"
    )
    voulues = [
        ("[journal] requête 2 : score 373", 0.8),
        ("[journal] requête 3 : score 673", 1.1),
        ("[journal] requête 1 : score 450", 1.6),
        ("[journal] requêtes servies : 3", 1.7),
    ]
    _verifier_boucle_libre(ex, appel)
    textes = [norm(t) for t in ex.texts]
    for i, (ligne, _) in enumerate(voulues):
        assert i < len(textes), (
            f"{appel} n'a affiché que {len(textes)} ligne(s) ; la ligne {i + 1} attendue est "
            f"« {ligne} »"
        )
        assert textes[i] == ligne, (
            f"{appel} : la ligne {i + 1} affichée n'est pas celle de l'exemple d'exécution de "
            "l'énoncé ; chaque requête écrit sa ligne dès qu'elle est servie, bob (0.8 s), puis "
            "chloé (1.1 s), puis alice (1.6 s), et le résumé vient en dernier"
            f"{line_diff(textes[i], ligne)}"
        )
    assert len(textes) == len(voulues), (
        f"{appel} a affiché {len(textes)} lignes ; attendu {len(voulues)} : la ligne en trop est "
        f"« {textes[len(voulues)]} »"
    )
    for ligne, quand in voulues:
        t = _ligne(ex, ligne)
        pourquoi = (
            "le résumé est attendu une fois toutes les requêtes servies (alice, la dernière, "
            "à 1.6 s), et dure 0.1 s"
            if "servies" in ligne
            else "les trois requêtes tournent en même temps, chacune servie dès que sa "
            "lecture, son calcul et son journal sont finis"
        )
        assert t is not None and abs(t - quand) < TOLERANCE, (
            f"{appel} a écrit « {ligne} » à {fmt_t(t or 0)} ; attendu à {fmt_t(quand)} : {pourquoi}"
        )
    suite = " : c'est la somme des requêtes" if abs(ex.elapsed - 3.6) < TOLERANCE else ""
    assert abs(ex.elapsed - 1.7) < TOLERANCE, (
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)}{suite} ; attendu à {fmt_t(1.7)}, la "
        "requête la plus longue (alice, 1.6 s) puis le résumé (0.1 s)"
    )


@pytest.mark.timeline
def test_boucle_libre_exemple(student: Any) -> None:
    appel = "servir([1, 2, 3])"
    ex = _exemple(student, "servir", [1, 2, 3])
    _verifier_boucle_libre(ex, appel)
    ligne = "[journal] requête 2 : score 373"
    t = _ligne(ex, ligne)
    lectures = [c for c in ex.calls_of("lire_profil_bloquant") if c.args == (1,)]
    fin_alice = lectures[0].end - ex.t0 if lectures and lectures[0].end is not None else None
    assert t is not None, (
        f"{appel} n'a jamais écrit « {ligne} » ; attendu : la requête de bob servie à "
        f"{fmt_t(0.8)}, pendant que la lecture d'alice attend encore"
    )
    assert abs(t - 0.8) < TOLERANCE, (
        f"{appel} a écrit « {ligne} » à {fmt_t(t)} ; attendu à {fmt_t(0.8)}, pendant que la "
        f"lecture d'alice (1.0 s) attend encore"
        + (f" (elle a fini à {fmt_t(fin_alice)})" if fin_alice is not None else "")
        + " : la requête de bob ne doit attendre ni alice ni chloé"
    )
