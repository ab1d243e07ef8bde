"""Public tests of ex7_generateurs, on the statement's examples.

Run them with:  python -m grader --only ex7_generateurs
The grade also counts hidden tests, on other sizes, delays and thresholds.
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
    same_lines,
    show,
)


def _textes(ex: Execution) -> list[str]:
    return [norm(t) for t in ex.texts if t.strip()]


def _generateur(student: Any) -> None:
    """powers_of_two must be an async generator function: chronometrer iterates it."""
    kind = student.kind("powers_of_two")
    if kind is None:
        raise StudentError(f"la fonction powers_of_two est introuvable dans {student.file}")
    if kind != "async_generator_function":
        raise StudentError(
            "powers_of_two doit être un générateur asynchrone : une fonction « async def » "
            "qui produit ses valeurs avec yield (voir « async for et async with »)"
        )


def test_powers_of_two_exemple(student: Any) -> None:
    _generateur(student)
    chronometrer = require(student, "chronometrer", coroutine=True)
    ex = run(chronometrer, 4, 0.5)
    attendu = [(0.5, 1), (1.0, 2), (1.5, 4), (2.0, 8)]
    recu = ex.value if isinstance(ex.value, list) else []
    valeurs = [v for _, v in recu] if all(isinstance(c, tuple) for c in recu) else recu
    assert valeurs == [1, 2, 4, 8], (
        f"chronometrer(4, 0.5) a reçu de powers_of_two(4, 0.5) les valeurs {show(valeurs)} ; "
        "attendu [1, 2, 4, 8], les quatre premières puissances de deux"
    )
    for (t, v), (t_attendu, _) in zip(recu, attendu, strict=True):
        assert abs(t - t_attendu) < TOLERANCE, (
            f"powers_of_two(4, 0.5) a produit {v} à {fmt_t(t)} ; attendu à {fmt_t(t_attendu)} : "
            "0.5 s d'attente avant chaque valeur, et chaque valeur produite aussitôt"
        )
    assert not ex.blocking, (
        f"powers_of_two(4, 0.5) a attendu en bloquant le programme{blocking_note(ex)} ; "
        "attendu une attente avec « await asyncio.sleep(...) »"
    )


def test_puissances_filtrees_exemple(student: Any) -> None:
    fn = require(student, "puissances_filtrees", coroutine=True)
    ex = run(fn, 6, 0.5, 5)
    assert ex.value == [8, 16, 32], (
        f"puissances_filtrees(6, 0.5, 5) a renvoyé {show(ex.value)} ; attendu [8, 16, 32], "
        "les valeurs de 1, 2, 4, 8, 16, 32 strictement supérieures à 5"
    )
    assert abs(ex.elapsed - 3.0) < TOLERANCE, (
        f"puissances_filtrees(6, 0.5, 5) s'est terminé à {fmt_t(ex.elapsed)} ; attendu à "
        f"{fmt_t(3.0)} : le générateur attend 0.5 s avant chacune de ses six valeurs"
        f"{blocking_note(ex)}"
    )


def test_exemple_de_l_enonce(student: Any) -> None:
    main = require(student, "main", coroutine=True)
    ex = run(main)
    obtenu = _textes(ex)
    sequentiel = [
        "Générateur 1 : 1",
        "Générateur 1 : 2",
        "Générateur 1 : 4",
        "Générateur 2 : 1",
        "Générateur 3 : 1",
        "Générateur 3 : 2",
        "Une après l'autre : 3.00 s",
    ]
    # The sequential part first, line by line (what follows is checked below).
    same_lines("main()", obtenu[: len(sequentiel)], sequentiel)
    # Lines printed at the same instant may come in any order: compared as sets of lines.
    simultanees = [
        "Générateur 1 : 1",
        "Générateur 2 : 1",
        "Générateur 3 : 1",
        "Générateur 1 : 2",
        "Générateur 3 : 2",
        "Générateur 1 : 4",
    ]
    suite = obtenu[len(sequentiel) :]
    assert suite, (
        "main() s'est arrêté après « Une après l'autre : 3.00 s » ; attendu ensuite les lignes "
        "de ensemble(TAILLES, DELAI), puis « Ensemble : 1.50 s »"
    )
    assert sorted(suite[:-1]) == sorted(simultanees), (
        f"main() : après « Une après l'autre : 3.00 s », ensemble a affiché {show(suite[:-1])} ; "
        f"attendu les six lignes {show(simultanees)}, une par valeur des trois générateurs"
    )
    assert suite[-1] == "Ensemble : 1.50 s", (
        "main() : la dernière ligne n'est pas celle de l'exemple d'exécution de l'énoncé"
        f"{line_diff(suite[-1], 'Ensemble : 1.50 s')}"
    )
