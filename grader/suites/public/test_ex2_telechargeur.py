"""Public tests of ex2_telechargeur, on the statement's files.

Run them with:  python -m grader --only ex2_telechargeur
The grade also counts hidden tests, on other files and other durations.
"""

from __future__ import annotations

from typing import Any

from grader.judge.harness import (
    TOLERANCE,
    Execution,
    blocking_note,
    fmt_t,
    norm,
    require,
    run,
    same_lines,
    show,
)

# The statement's sample run.
EXEMPLE = {
    "fichier_1.zip": 3.2,
    "fichier_2.zip": 1.4,
    "fichier_3.zip": 4.7,
    "fichier_4.zip": 2.1,
    "fichier_5.zip": 3.9,
}


def _textes(ex: Execution) -> list[str]:
    return [norm(t) for t in ex.texts if t.strip()]


def test_telecharger_attend_et_renvoie(student: Any) -> None:
    telecharger = require(student, "telecharger", coroutine=True)
    ex = run(telecharger, "fichier_1.zip", 2.5)
    assert ex.value == ("fichier_1.zip", 2.5), (
        f"telecharger('fichier_1.zip', 2.5) a renvoyé {show(ex.value)} ; attendu "
        "('fichier_1.zip', 2.5), le couple (nom, duree)"
    )
    rien = (
        " : rien n'a été attendu ; une coroutine appelée sans await ne s'exécute pas "
        "(voir « Les pièges classiques »)"
        if ex.elapsed < TOLERANCE
        else ""
    )
    assert abs(ex.elapsed - 2.5) < TOLERANCE, (
        f"telecharger('fichier_1.zip', 2.5) s'est terminé à {fmt_t(ex.elapsed)}{rien} ; "
        f"attendu à {fmt_t(2.5)}, après avoir attendu la durée du téléchargement"
    )
    assert not ex.blocking, (
        "telecharger('fichier_1.zip', 2.5) a attendu en bloquant le programme"
        f"{blocking_note(ex)} ; attendu une attente avec « await asyncio.sleep(...) »"
    )


def test_exemple_de_l_enonce(student: Any) -> None:
    telecharger_tout = require(student, "telecharger_tout", coroutine=True)
    ex = run(telecharger_tout, EXEMPLE)
    appel = f"telecharger_tout({EXEMPLE})"
    ordre = sorted(EXEMPLE, key=EXEMPLE.__getitem__)
    attendu = [
        "Début des téléchargements...",
        *(f"{nom} terminé ({EXEMPLE[nom]:.1f}s)" for nom in ordre),
        "Temps total : 4.7s — fichier le plus lent : fichier_3.zip",
    ]
    same_lines(appel, _textes(ex), attendu)
    couple = ex.value if isinstance(ex.value, tuple) and len(ex.value) == 2 else (None, None)
    total, lent = couple
    bon_total = isinstance(total, (int, float)) and abs(total - 4.7) < TOLERANCE
    assert bon_total and lent == "fichier_3.zip", (
        f"{appel} a renvoyé {show(ex.value)} ; attendu à peu près (4.7, 'fichier_3.zip') : "
        "le temps total mesuré avec time.perf_counter() et le nom du fichier le plus lent"
    )


def test_main_fichiers_par_defaut(student: Any) -> None:
    main = require(student, "main", coroutine=True)
    ex = run(main)
    obtenu = _textes(ex)
    assert obtenu and obtenu[0] == "Début des téléchargements...", (
        f"main() a d'abord affiché « {obtenu[0] if obtenu else ''} » ; attendu "
        "« Début des téléchargements... »"
    )
    fichiers = getattr(student, "FICHIERS", None)
    etat = "est introuvable" if student.kind("FICHIERS") is None else f"vaut {show(fichiers)}"
    assert isinstance(fichiers, list), (
        f"FICHIERS {etat} dans {student.file} ; attendu la liste des noms de fichiers donnée "
        "par l'énoncé (ne la modifiez pas)"
    )
    for nom in fichiers:
        lignes = [t for t in obtenu if t.startswith(f"{nom} terminé (")]
        assert len(lignes) == 1, (
            f"main() a affiché {len(lignes)} ligne(s) « {nom} terminé (…s) » ; attendu une "
            "seule : main appelle telecharger_tout() sans argument, qui télécharge chaque "
            "fichier de FICHIERS"
        )
    assert obtenu[-1].startswith("Temps total : "), (
        f"main() a fini par afficher « {obtenu[-1]} » ; attendu la ligne « Temps total : "
        "…s — fichier le plus lent : … »"
    )
    assert ex.elapsed <= 5.0 + TOLERANCE, (
        f"main() s'est terminé à {fmt_t(ex.elapsed)} ; attendu au plus à {fmt_t(5.0)} : "
        "chaque durée est tirée entre 1 et 5 secondes et les téléchargements se font en "
        f"même temps{blocking_note(ex)}"
    )
