"""Public tests of ex3_timeouts, on the statement's servers.

Run them with:  python -m grader --only ex3_timeouts
The grade also counts hidden tests, on other servers, other delays and other timeouts.
"""

from __future__ import annotations

from typing import Any

from grader.judge.harness import (
    TOLERANCE,
    blocking_note,
    fmt_t,
    line_diff,
    norm,
    require,
    run,
    show,
)

# The statement's data, written out here so that a student who edits SERVEURS
# is still judged on the statement's servers.
SERVEURS: dict[str, float | None] = {
    "serveur_A": 0.5,
    "serveur_B": 1.5,
    "serveur_C": 3.0,
    "serveur_D": None,
}
TIMEOUT = 2.0


def test_interroger_serveur_repond(student: Any) -> None:
    interroger_serveur = require(student, "interroger_serveur", coroutine=True)
    for nom in ("serveur_A", "serveur_B", "serveur_C"):
        delai = SERVEURS[nom]
        assert delai is not None
        appel = f"interroger_serveur({nom!r}, {delai})"
        ex = run(interroger_serveur, nom, delai)
        attendu = f"{nom} : OK"
        assert ex.value == attendu, f"{appel} a renvoyé {show(ex.value)} ; attendu {attendu!r}"
        rien = (
            " : rien n'a été attendu ; une coroutine appelée sans await ne s'exécute pas "
            "(voir « Les pièges classiques »)"
            if ex.elapsed < TOLERANCE
            else ""
        )
        assert abs(ex.elapsed - delai) < TOLERANCE, (
            f"{appel} a répondu à {fmt_t(ex.elapsed)}{rien} ; attendu à {fmt_t(delai)}, "
            "au bout du délai du serveur"
        )
        assert not ex.blocking, (
            f"{appel} a attendu en bloquant le programme{blocking_note(ex)} ; attendu une "
            "attente avec « await asyncio.sleep(...) »"
        )


def test_resultats_par_defaut(student: Any) -> None:
    interroger_tous = require(student, "interroger_tous", coroutine=True)
    ex = run(interroger_tous)
    attendu = (["serveur_A", "serveur_B"], ["serveur_C", "serveur_D"])
    valeur = ex.value
    # Two lists or tuples: anything else (a set comes as an Opaque) is shown as it came.
    couple = (
        isinstance(valeur, tuple)
        and len(valeur) == 2
        and all(isinstance(v, (list, tuple)) for v in valeur)
    )
    obtenu = (list(valeur[0]), list(valeur[1])) if couple else valeur
    assert obtenu == attendu, (
        f"interroger_tous() a renvoyé {show(valeur)} ; attendu {attendu!r} : serveur_A "
        "(0.5 s) et serveur_B (1.5 s) répondent avant le timeout de 2.0 s, serveur_C (3.0 s) et "
        "serveur_D (jamais) le dépassent"
    )


def test_affichage_par_defaut(student: Any) -> None:
    main = require(student, "main", coroutine=True)
    ex = run(main)
    avertissements = {
        nom: f"Attention : {nom} n'a pas répondu en 2.0s" for nom in ("serveur_C", "serveur_D")
    }
    resume = "Résumé : 2 ont répondu (serveur_A, serveur_B) / 2 en timeout (serveur_C, serveur_D)"
    lignes = [ln for ln in ex.lines if norm(ln.text).startswith(("Attention", "Résumé"))]
    for nom, texte in avertissements.items():
        ligne = next((ln for ln in lignes if norm(ln.text).startswith(f"Attention : {nom} ")), None)
        assert ligne is not None, f"main() n'a pas affiché la ligne « {texte} »"
        assert norm(ligne.text) == texte, (
            f"main() : la ligne de {nom} n'est pas celle attendue"
            + line_diff(norm(ligne.text), texte)
        )
        assert abs(ligne.t - TIMEOUT) < TOLERANCE, (
            f"main() a affiché « {texte} » à {fmt_t(ligne.t)} ; attendu à {fmt_t(TIMEOUT)}, au "
            f"moment où le timeout de {nom} expire{blocking_note(ex)}"
        )
    assert lignes and norm(lignes[-1].text) == resume, (
        f"main() a fini par afficher « {lignes[-1].text.strip() if lignes else ''} » ; "
        f"attendu le résumé « {resume} »"
    )
    assert abs(ex.elapsed - TIMEOUT) < TOLERANCE, (
        f"main() s'est terminé à {fmt_t(ex.elapsed)} ; attendu à {fmt_t(TIMEOUT)} : les quatre "
        "serveurs sont interrogés en même temps et aucun n'est attendu plus de 2.0 s"
        f"{blocking_note(ex)}"
    )
