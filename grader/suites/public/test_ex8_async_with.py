"""Public tests of ex8_async_with, on the statement's pages.

Run them with:  python -m grader --only ex8_async_with
The grade also counts hidden tests, on other pages and other durations.
"""

from __future__ import annotations

from typing import Any

from grader.judge.harness import TOLERANCE, Execution, norm, require, run, same_lines, show

METEO = "https://api.exemple.fr/meteo"
BOURSE = "https://api.exemple.fr/bourse"
SPORT = "https://api.exemple.fr/sport"
PANNE = "https://api.exemple.fr/panne"

# The statement's data, set again for each call: a module whose constants were
# edited is still judged on the statement's example.
ENONCE: dict[str, Any] = {
    "DUREE_OUVERTURE": 0.5,
    "DUREE_FERMETURE": 0.2,
    "PAGES": {
        METEO: (1.2, "soleil, 21 °C"),
        BOURSE: (0.8, "CAC 40 en hausse"),
        SPORT: (1.5, "victoire 2-1"),
        PANNE: (2.0, None),
    },
    "URLS": [METEO, BOURSE, SPORT],
    "URL_EN_PANNE": PANNE,
}

PAGES_ATTENDUES = [
    (METEO, "soleil, 21 °C"),
    (BOURSE, "CAC 40 en hausse"),
    (SPORT, "victoire 2-1"),
]

UN_ESSAI = [
    "Connexion ouverte",
    f"Réponse de {BOURSE}",
    f"Réponse de {METEO}",
    f"Réponse de {SPORT}",
    "Connexion fermée",
]


def _textes(ex: Execution) -> list[str]:
    return [norm(t) for t in ex.texts if t.strip()]


def test_exemple_de_l_enonce(student: Any) -> None:
    telecharger_tout = require(student, "telecharger_tout", coroutine=True)
    urls = [METEO, BOURSE, SPORT]
    appel = f"telecharger_tout({urls})"
    ex = run(telecharger_tout, urls, patch=ENONCE)
    same_lines(appel, _textes(ex), [*UN_ESSAI, "Terminé : 3 page(s) en 2.20s"])
    valeur = ex.value
    couple = valeur if isinstance(valeur, tuple) and len(valeur) == 2 else (None, None)
    pages, duree = couple
    bonnes_pages = isinstance(pages, dict) and list(pages.items()) == PAGES_ATTENDUES
    bonne_duree = (
        isinstance(duree, (int, float))
        and not isinstance(duree, bool)
        and abs(duree - 2.2) < TOLERANCE
    )
    assert bonnes_pages and bonne_duree, (
        f"{appel} a renvoyé {show(valeur)} ; attendu à peu près ({dict(PAGES_ATTENDUES)}, 2.2) : "
        "les contenus reçus, dans l'ordre de urls, et la durée totale mesurée avec "
        "time.perf_counter(), ouverture et fermeture comprises"
    )


def test_main_de_l_enonce(student: Any) -> None:
    main = require(student, "main", coroutine=True)
    ex = run(main, patch=ENONCE)
    attendu = [
        *UN_ESSAI,
        "Terminé : 3 page(s) en 2.20s",
        *(f"{url} : {contenu}" for url, contenu in PAGES_ATTENDUES),
        *UN_ESSAI,
        f"Échec : {PANNE} ne répond pas",
    ]
    same_lines("main()", _textes(ex), attendu)
