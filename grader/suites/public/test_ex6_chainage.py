"""Public tests of ex6_chainage, on the statement's users.

Run them with:  python -m grader --only ex6_chainage
The grade also counts hidden tests, on other users, other delays and other articles.
"""

from __future__ import annotations

from typing import Any

from grader.judge.harness import (
    TOLERANCE,
    Execution,
    Recorded,
    blocking_note,
    fmt_t,
    line_diff,
    norm,
    require,
    run,
    show,
)

# The statement's data, set again for each call: a module whose constants were
# edited is still judged on the statement's example.
ENONCE: dict[str, Any] = {
    "DELAIS_UTILISATEUR": {1: 1.0, 2: 1.5, 3: 0.5},
    "DELAIS_ARTICLES": {"alice": 1.4, "bob": 1.2, "charlie": 2.0},
    "NOMS": {1: "alice", 2: "bob", 3: "charlie"},
}
SPIES = ("fetch_user", "fetch_posts")

ARTICLES = {nom: [f"{nom} : article {i}" for i in (1, 2)] for nom in ("alice", "bob", "charlie")}

# The sample output, with the moment each line appears.
EXEMPLE = [
    (2.4, "alice : 2 articles (2.40s)"),
    (2.5, "charlie : 2 articles (2.50s)"),
    (2.7, "bob : 2 articles (2.70s)"),
    (2.7, "Temps total : 2.70s"),
]

SANS_AWAIT = " ; une coroutine appelée sans await ne s'exécute pas (voir « Les pièges classiques »)"


def _textes(ex: Execution) -> list[str]:
    return [norm(t) for t in ex.texts if t.strip()]


def argument(appel: Recorded, nom: str) -> Any:
    """What a recorded call was given as its one argument, by position or by keyword."""
    return appel.args[0] if appel.args else appel.kwargs.get(nom)


def test_chaine_exemple(student: Any) -> None:
    chaine = require(student, "chaine", coroutine=True)
    appel = "chaine(2)"
    ex = run(chaine, 2, spies=SPIES, patch=ENONCE)
    utilisateurs = ex.calls_of("fetch_user")
    assert len(utilisateurs) == 1, (
        f"{appel} a appelé fetch_user {len(utilisateurs)} fois ; attendu une fois, "
        f"fetch_user(2){SANS_AWAIT if not utilisateurs else ''}"
    )
    articles = ex.calls_of("fetch_posts")
    assert len(articles) == 1 and argument(articles[0], "user") == "bob", (
        f"{appel} a appelé fetch_posts {len(articles)} fois "
        f"({', '.join(show(argument(a, 'user')) for a in articles) or 'jamais'}) ; attendu "
        "une fois, "
        "fetch_posts('bob'), avec le nom renvoyé par fetch_user(2)"
    )
    debut = articles[0].start - ex.t0
    assert debut > 1.5 - TOLERANCE, (
        f"{appel} : fetch_posts('bob') a commencé à {fmt_t(debut)}, avant la fin de "
        f"fetch_user(2) à {fmt_t(1.5)} ; attendu les deux étapes l'une après l'autre"
    )
    attendu = ("bob", ARTICLES["bob"])
    valeur = ex.value
    assert isinstance(valeur, (tuple, list)) and tuple(valeur) == attendu, (
        f"{appel} a renvoyé {show(valeur)} ; attendu {attendu!r} : le nom renvoyé par "
        "fetch_user et les articles renvoyés par fetch_posts"
    )
    assert abs(ex.elapsed - 2.7) < TOLERANCE, (
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)} ; attendu à {fmt_t(2.7)} : 1.5 s pour "
        f"fetch_user(2), puis 1.2 s pour fetch_posts('bob'){blocking_note(ex)}"
    )
    ligne = "bob : 2 articles (2.70s)"
    obtenu = _textes(ex)
    assert obtenu == [ligne], (
        f"{appel} a affiché {show(obtenu)} ; attendu une seule ligne, « {ligne} »"
        f"{line_diff(obtenu[0], ligne) if len(obtenu) == 1 else ''}"
    )
    t = ex.lines[0].t if ex.lines else 0.0
    assert abs(t - 2.7) < TOLERANCE, (
        f"{appel} a affiché « {ligne} » à {fmt_t(t)} ; attendu à {fmt_t(2.7)}, au moment où "
        "la chaîne se termine"
    )
    assert not ex.blocking, (
        f"{appel} a attendu en bloquant le programme{blocking_note(ex)} ; attendu des attentes "
        "avec await asyncio.sleep(...), comme dans fetch_user et fetch_posts"
    )


def test_toutes_les_chaines_exemple(student: Any) -> None:
    toutes = require(student, "toutes_les_chaines", coroutine=True)
    appel = "toutes_les_chaines([1, 2, 3])"
    ex = run(toutes, [1, 2, 3], spies=SPIES, patch=ENONCE)
    cause = ""
    if abs(ex.elapsed - 7.6) < TOLERANCE:
        cause = " : c'est la somme des six attentes, les chaînes se sont faites l'une après l'autre"
    elif abs(ex.elapsed - 3.5) < TOLERANCE:
        cause = (
            " : c'est le plus long fetch_user (1.5 s) plus le plus long fetch_posts (2.0 s), les "
            "articles ont attendu que tous les utilisateurs soient arrivés"
        )
    assert abs(ex.elapsed - 2.7) < TOLERANCE, (
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)}{cause} ; attendu à {fmt_t(2.7)}, la "
        "durée de la chaîne la plus longue (bob : 1.5 s + 1.2 s) : les trois chaînes tournent "
        f"en même temps{blocking_note(ex)}"
    )
    valeur = ex.value
    assert isinstance(valeur, tuple) and len(valeur) == 2, (
        f"{appel} a renvoyé {show(valeur)} ; attendu un couple (articles, total)"
    )
    articles, total = valeur
    assert isinstance(articles, dict) and list(articles.items()) == list(ARTICLES.items()), (
        f"{appel} a renvoyé les articles {show(articles)} ; attendu {ARTICLES} : les articles "
        "de chaque utilisateur, ses clés dans l'ordre des identifiants donnés"
    )
    nombre = isinstance(total, (int, float)) and not isinstance(total, bool)
    montre = f"{total:.2f}" if nombre else show(total)
    assert nombre and abs(total - 2.7) < TOLERANCE, (
        f"{appel} a renvoyé le total {montre} ; attendu 2.70, le temps écoulé mesuré avec "
        "time.perf_counter() avant et après l'attente de toutes les chaînes"
    )


def test_main_de_l_enonce(student: Any) -> None:
    main = require(student, "main", coroutine=True)
    ex = run(main, spies=SPIES, patch=ENONCE)
    lignes = [ln for ln in ex.lines if ln.text.strip()]
    for i, (t, ligne) in enumerate(EXEMPLE):
        assert i < len(lignes), (
            f"main() n'a affiché que {len(lignes)} ligne(s) ; la ligne {i + 1} attendue est "
            f"« {ligne} »"
        )
        texte = norm(lignes[i].text)
        assert texte == ligne, (
            f"main() : la ligne {i + 1} affichée n'est pas celle de l'exemple d'exécution de "
            f"l'énoncé{line_diff(texte, ligne)}"
        )
        assert abs(lignes[i].t - t) < TOLERANCE, (
            f"main() a affiché « {ligne} » à {fmt_t(lignes[i].t)} ; attendu à {fmt_t(t)}, au "
            f"moment où {'tout est fini' if i == 3 else 'sa chaîne se termine'}"
            f"{blocking_note(ex)}"
        )
    assert len(lignes) == len(EXEMPLE), (
        f"main() a affiché {len(lignes)} lignes ; attendu {len(EXEMPLE)} : la ligne en trop "
        f"est « {norm(lignes[len(EXEMPLE)].text)} »"
    )
