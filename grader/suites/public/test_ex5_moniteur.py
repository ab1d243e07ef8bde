"""Public tests of ex5_moniteur, on the statement's services.

Run them with:  python -m grader --only ex5_moniteur
The grade also counts hidden tests, on other services, delays and timeouts.
"""

from __future__ import annotations

from grader.judge.harness import (
    TOLERANCE,
    Execution,
    StudentError,
    StudentModule,
    blocking_note,
    fmt_t,
    line_diff,
    norm,
    require,
    run,
    show,
)

# The statement's sample run, with the given SERVICES and TIMEOUT = 2.0.
ATTENDU = [
    (0.1, "[EN LIGNE] cache Redis (0.10s)"),
    (0.3, "[EN LIGNE] base de données (0.30s)"),
    (0.8, "[EN LIGNE] CDN (0.80s)"),
    (1.2, "[EN LIGNE] serveur mail (1.20s)"),
    (2.0, "[HORS LIGNE] API externe (timeout après 2.0s)"),
    (2.0, "Bilan : 4 en ligne / 1 hors ligne — durée totale 2.00s"),
]


# Serves the hidden tests too (they import it), on their generated services.
def _refus_d_argparse(appel: str, exc: StudentError) -> AssertionError | None:
    """The failure to raise when main stopped on arguments argparse refused (it exits
    with sys.exit(2)), saying which call it read; None for any other stop."""
    erreur = exc.error
    if erreur is None or erreur.kind != "system_exit" or erreur.code != 2:
        return None
    return AssertionError(
        f"{appel} : argparse a refusé les arguments et arrêté le programme"
        f"{f' ({exc.where})' if exc.where else ''} ; "
        "attendu que main lise la liste argv qu'on lui passe, avec "
        "parser.parse_args(argv), et accepte l'option --timeout SECONDES"
    )


def _lancer_main(student: StudentModule, argv: list[str]) -> Execution:
    main = require(student, "main", coroutine=False)
    try:
        return run(main, argv)
    except StudentError as exc:
        refus = _refus_d_argparse(f"main({argv!r})", exc)
        if refus is not None:
            raise refus from exc
        raise


def test_exemple_de_l_enonce(student: StudentModule) -> None:
    surveiller = require(student, "surveiller", coroutine=True)
    ex = run(surveiller)
    appel = "surveiller()"
    obtenu = [ln for ln in ex.lines if ln.text.strip()]
    for i, (t, ligne) in enumerate(ATTENDU):
        assert i < len(obtenu), (
            f"{appel} n'a affiché que {len(obtenu)} ligne(s) ; la ligne {i + 1} attendue "
            f"est « {ligne} » (voir l'exemple d'exécution de l'énoncé)"
        )
        texte = norm(obtenu[i].text)
        assert texte == ligne, (
            f"{appel} : la ligne {i + 1} affichée n'est pas celle de l'exemple d'exécution de "
            f"l'énoncé{line_diff(texte, ligne)}"
        )
        assert abs(obtenu[i].t - t) < TOLERANCE, (
            f"{appel} : « {ligne} » affiché à {fmt_t(obtenu[i].t)} ; attendu à {fmt_t(t)}, "
            f"dès que le résultat de la vérification est connu{blocking_note(ex)}"
        )
    assert len(obtenu) == len(ATTENDU), (
        f"{appel} a affiché {len(obtenu)} lignes ; attendu {len(ATTENDU)} : la ligne en trop "
        f"est « {norm(obtenu[len(ATTENDU)].text)} »"
    )
    valeur = ex.value
    attendu = "{'en_ligne': ['cache Redis', 'base de données', 'CDN', 'serveur mail'], "
    attendu += "'hors_ligne': ['API externe'], 'duree': 2.0}"
    assert isinstance(valeur, dict), (
        f"{appel} a renvoyé {show(valeur)} ; attendu à peu près le dictionnaire {attendu}"
    )
    duree = valeur.get("duree")
    assert (
        valeur.get("en_ligne") == ["cache Redis", "base de données", "CDN", "serveur mail"]
        and valeur.get("hors_ligne") == ["API externe"]
        and isinstance(duree, (int, float))
        and abs(duree - 2.0) < TOLERANCE
    ), f"{appel} a renvoyé {show(valeur)} ; attendu à peu près {attendu}"


def test_code_de_sortie_par_defaut(student: StudentModule) -> None:
    ex = _lancer_main(student, [])
    assert ex.value == 1, (
        f"main([]) a renvoyé {show(ex.value)} ; attendu 1 : avec le timeout par défaut de 2.0 s, "
        "« API externe » (2.5 s) est hors ligne, et le code de sortie vaut 1 dès qu'un service "
        "est hors ligne"
    )
    ex = _lancer_main(student, ["--timeout", "3"])
    assert ex.value == 0, (
        f"main(['--timeout', '3']) a renvoyé {show(ex.value)} ; attendu 0 : avec un timeout de "
        "3 s, les cinq services répondent à temps, et le code de sortie vaut 0 quand tous "
        "sont en ligne"
    )
    assert abs(ex.elapsed - 2.5) < TOLERANCE, (
        f"main(['--timeout', '3']) s'est terminé à {fmt_t(ex.elapsed)} ; attendu à "
        f"{fmt_t(2.5)}, quand « API externe » répond : l'option --timeout doit être "
        f"transmise à surveiller{blocking_note(ex)}"
    )
