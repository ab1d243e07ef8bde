"""The catalogue and the folders agree (`nox -s check`), and the check finds what it says."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.metadata import load_catalogue
from grader.tools import check

CATALOGUE = load_catalogue()


def test_the_kit_passes_its_own_check() -> None:
    assert check.static_problems() == []


def test_the_default_assignment_is_the_contracts_five_exercises() -> None:
    default = CATALOGUE.default
    assert default.exercises == (
        "ex1_sync_vs_async",
        "ex2_telechargeur",
        "ex3_timeouts",
        "ex4_pipeline",
        "ex5_moniteur",
    )
    assert sum(CATALOGUE.get(e).max_score for e in default.exercises) == 100


def test_the_check_command_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.main(["--static"]) == 0
    assert capsys.readouterr().out == "Vérifié : le catalogue et les dossiers s'accordent.\n"


def test_bad_input_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.main(["--vite"]) == 2
    err = capsys.readouterr().err
    assert err == "python -m grader.tools.check : erreur : option inconnue : --vite\n"


BROKEN_CATALOGUE = """\
[[assignment]]
id = "devoir"
title = "Un devoir"
exercises = ["ex8", "ex_absent"]

[[exercise]]
id = "ex8"
title = "Huit"

[[exercise.test]]
id = "vu"
title = "Public"
points = 5
hint = "Une piste."

[[exercise.test]]
id = "vu"
title = "Public encore"
points = 5
hint = "Une piste."

[[exercise.test]]
id = "cache"
title = "Caché"
points = 5
hidden = true
hint = ""

[[exercise.test]]
id = "jamais_echoue"
title = "Caché aussi"
points = 4
hidden = true
hint = "Une piste."

[[exercise]]
id = "ex9"
title = "Neuf, dans aucun devoir"

[[exercise.test]]
id = "seul"
title = "Seul"
points = 20
hint = "Une piste."
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_each_fault_of_a_broken_kit_is_one_sentence(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "grader/exercises.toml": BROKEN_CATALOGUE,
            "exercises/ex8.py": '"""Énoncé."""\n\ndef f():\n    raise NotImplementedError\n',
            "solutions/ex8.py": "def f():\n    return 1\n",
            "grader/suites/public/test_ex8.py": "def test_vu():\n    pass\n",
            "grader/suites/hidden/test_ex8.py": "def test_cache():\n    pass\n"
            "def test_oublie():\n    pass\n",
            "tests/submissions/ex8/cases.toml": (
                '[juste]\nfull_marks = true\n\n[faux]\nfails = ["cache", "inexistant"]\n'
            ),
            "tests/submissions/ex8/juste/ex8.py": "",
        },
    )
    assert check.static_problems(check.Kit(tmp_path)) == [
        "Dans l'exercice ex8, le test vu est déclaré deux fois.",
        "Dans l'exercice ex8, le test cache n'a pas de piste (hint).",
        "Dans l'exercice ex8, les points font 19 au lieu de 20.",
        "Dans l'exercice ex9, il y a 1 tests publics au lieu de 2 à 4.",
        "Dans l'exercice ex9, aucun test n'est caché.",
        "Le devoir devoir compte l'exercice ex_absent, inconnu.",
        "L'exercice ex9 n'est dans aucun devoir.",
        "exercises/ex8.py ne marque pas par « # TODO » ce qui est à écrire.",
        'exercises/ex8.py ne lève nulle part NotImplementedError("À compléter").',
        "grader/suites/hidden/test_ex8.py ne définit pas test_jamais_echoue, "
        "que le catalogue déclare.",
        "grader/suites/hidden/test_ex8.py définit test_oublie, que le catalogue ne déclare pas "
        "parmi les tests cachés.",
        "La copie faux de tests/submissions/ex8/cases.toml n'a pas de ex8.py.",
        "La copie faux de tests/submissions/ex8/cases.toml nomme un test inconnu : inexistant.",
        "Aucune copie de tests/submissions/ex8/cases.toml n'échoue au test caché jamais_echoue.",
        "tests/submissions/ex8/cases.toml a 1 copie juste au lieu d'au moins 2, écrites autrement.",
        "exercises/ex9.py manque.",
        "solutions/ex9.py manque.",
        "grader/suites/public/test_ex9.py manque : le catalogue y déclare test_seul.",
        "tests/submissions/ex9/cases.toml manque : aucune copie ne montre que les tests cachés "
        "échouent.",
    ]


def test_a_catalogue_that_does_not_read_is_one_sentence(tmp_path: Path) -> None:
    write(tmp_path, {"grader/exercises.toml": '[[exercise]]\ntitle = "Sans id"\n'})
    assert check.static_problems(check.Kit(tmp_path)) == [
        "grader/exercises.toml ne se lit pas : il manque la clé 'id'."
    ]
