"""Hidden tests of ex6_chainage: each chain in order, all chains together, lines, total, results.

The module's `fetch_user` and `fetch_posts` are replaced by fakes whose delays,
names and articles the test chooses, on generated identifiers: a program tuned
to the statement's users fails, and so does one that rebuilds the results
instead of taking them from the calls. `NOMS` is set, for each call, to other
names than the fakes' (a program that reads it instead of using what
`fetch_user` returned shows). Delays are hundredths of a second and the chains'
lengths are distinct: no two chains end at the same instant, and a duration
printed with the wrong format shows.

Long because it is a list: one function per catalogue test, each with the
generator of its inputs and the French message of each way it can fail.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader.judge.harness import (
    TOLERANCE,
    Execution,
    Fake,
    Recorded,
    blocking_note,
    fmt_t,
    line_diff,
    norm,
    require,
    run,
    show,
)

# Helpers shared with the public tests, which always ship alongside these.
from grader.suites.public.test_ex6_chainage import SANS_AWAIT, argument

# What a fake waits and returns when it is called with something the test never gave
# (a name read in NOMS, an identifier of its own): any value, as long as it is reported.
DELAI_INCONNU = 0.5
NOM_INCONNU = "inconnu"

NOMS_ST = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6)
DUREE_AFFICHEE = re.compile(r"\((-?\d+(?:\.\d+)?) ?s\)$")


@dataclass(frozen=True)
class Chaine:
    """One user's chain: what fetch_user(user_id) waits and returns, then fetch_posts(nom)."""

    user_id: int
    nom: str
    attente_nom: float
    attente_articles: float
    articles: tuple[str, ...]

    @property
    def fin(self) -> float:
        return round(self.attente_nom + self.attente_articles, 2)

    @property
    def leurre(self) -> str:
        """The name NOMS gives this identifier during the call: not fetch_user's."""
        return f"utilisateur{self.user_id}"

    def decrire(self) -> str:
        return (
            f"fetch_user({self.user_id}) rend {self.nom!r} en {self.attente_nom:.2f} s, "
            f"fetch_posts({self.nom!r}) rend {len(self.articles)} article(s) en "
            f"{self.attente_articles:.2f} s"
        )


def _chaine(user_id: int, nom: str, attente_nom: float, attente_articles: float, n: int) -> Chaine:
    articles = tuple(f"{nom} : billet {i}" for i in range(1, n + 1))
    return Chaine(user_id, nom, attente_nom, attente_articles, articles)


@st.composite
def lots(draw: st.DrawFn, min_size: int = 1, max_size: int = 6) -> list[Chaine]:
    """`min_size` to `max_size` chains: generated identifiers and names, distinct lengths
    from 0.10 s to 9.99 s split between the two steps, 0 to 5 articles each."""
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    ids = draw(
        st.lists(st.integers(min_value=1, max_value=99), min_size=n, max_size=n, unique=True)
    )
    noms = draw(st.lists(NOMS_ST, min_size=n, max_size=n, unique=True))
    fins = draw(
        st.lists(st.integers(min_value=10, max_value=999), min_size=n, max_size=n, unique=True)
    )
    chaines = []
    for user_id, nom, fin in zip(ids, noms, fins, strict=True):
        premiere = draw(st.integers(min_value=1, max_value=fin - 1))
        k = draw(st.integers(min_value=0, max_value=5))
        chaines.append(_chaine(user_id, nom, premiere / 100, (fin - premiere) / 100, k))
    return chaines


# Listed in an order that is neither the order the chains end (max, zoe, ines, lea)
# nor its reverse; the slowest first step is not the longest chain's.
MELANGE = [
    _chaine(7, "zoe", 0.85, 1.2, 3),
    _chaine(3, "lea", 1.6, 1.15, 1),
    _chaine(12, "max", 0.35, 0.9, 4),
    _chaine(5, "ines", 1.1, 1.4, 2),
]

# Durations whose wrong formatting shows: an integer (`{duree}` prints `3.0`, not
# `3.00`), hundredths (`0.95` is shown `0.9` or `1.0` with one decimal), a large value.
ENTIER = _chaine(4, "ugo", 1, 2, 0)
CENTIEMES = _chaine(8, "eva", 0.35, 0.6, 1)
GRAND = _chaine(21, "noe", 7.25, 5.5, 5)
ENTIERS = [ENTIER, _chaine(9, "ana", 2, 3, 2)]
LONGS = [_chaine(30, "jade", 4.5, 3.25, 2), GRAND, CENTIEMES]


# -- helpers ----------------------------------------------------------------------------


def _fakes(chaines: list[Chaine]) -> tuple[Any, Any]:
    fetch_user = Fake(
        "fetch_user",
        rows={c.user_id: (c.attente_nom, c.nom) for c in chaines},
        default_delay=DELAI_INCONNU,
        default_result=NOM_INCONNU,
    )
    fetch_posts = Fake(
        "fetch_posts",
        rows={c.nom: (c.attente_articles, list(c.articles)) for c in chaines},
        default_delay=DELAI_INCONNU,
        default_result=[],
    )
    return fetch_user, fetch_posts


def _patch(chaines: list[Chaine]) -> dict[str, Any]:
    """The module's constants for the call, consistent with NOMS' decoy names."""
    return {
        "NOMS": {c.user_id: c.leurre for c in chaines},
        "DELAIS_UTILISATEUR": {c.user_id: c.attente_nom for c in chaines},
        "DELAIS_ARTICLES": {c.leurre: DELAI_INCONNU for c in chaines},
    }


def _lancer(student: Any, fonction: str, arg: Any, chaines: list[Chaine]) -> Execution:
    fn = require(student, fonction, coroutine=True)
    return run(fn, arg, fakes=_fakes(chaines), patch=_patch(chaines))


def _appel_toutes(chaines: list[Chaine]) -> str:
    return f"toutes_les_chaines({[c.user_id for c in chaines]})"


def _contexte(chaines: list[Chaine]) -> str:
    return " ; ".join(c.decrire() for c in chaines)


def _texte(c: Chaine) -> str:
    return f"{c.nom} : {len(c.articles)} articles ({c.fin:.2f}s)"


def _fin(appel: Recorded) -> float:
    return appel.end if appel.end is not None else appel.start


def _est_nombre(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _couple(ex: Execution, appel: str) -> tuple[Any, Any]:
    valeur = ex.value
    assert isinstance(valeur, tuple) and len(valeur) == 2, (
        f"{appel} a renvoyé {show(valeur)} ; attendu un couple (articles, total)"
    )
    return valeur[0], valeur[1]


def _pourquoi_duree(ex: Execution, chaines: list[Chaine]) -> str:
    """Why toutes_les_chaines took the time it took, when it is a known wrong schedule."""
    if len(chaines) < 2:
        return ""
    somme = sum(c.fin for c in chaines)
    phases = max(c.attente_nom for c in chaines) + max(c.attente_articles for c in chaines)
    if abs(ex.elapsed - somme) < TOLERANCE:
        return " : c'est la somme des durées des chaînes, elles se sont faites l'une après l'autre"
    if abs(ex.elapsed - phases) < TOLERANCE:
        return (
            " : c'est le plus long fetch_user plus le plus long fetch_posts, les articles ont "
            "attendu que tous les utilisateurs soient arrivés"
        )
    return ""


def _sans_await(valeur: Any) -> str:
    """The usual cause of a coroutine object where a value was expected; "" otherwise."""
    return SANS_AWAIT if "coroutine" in show(valeur) else ""


def _lignes_de(ex: Execution, c: Chaine) -> list[Any]:
    return [ln for ln in ex.lines if norm(ln.text).startswith(f"{c.nom} :")]


# -- tests --------------------------------------------------------------------------------


@pytest.mark.timeline(schedule="chaines")
@given(chaines=lots(min_size=1, max_size=1))
@example(chaines=[MELANGE[0]])
@example(chaines=[GRAND])
def test_chaine_enchainee(student: Any, chaines: list[Chaine]) -> None:
    c = chaines[0]
    appel = f"chaine({c.user_id}) ({c.decrire()})"
    ex = _lancer(student, "chaine", c.user_id, chaines)
    utilisateurs = ex.calls_of("fetch_user")
    recus = [argument(a, "user_id") for a in utilisateurs]
    assert recus == [c.user_id], (
        f"{appel} a appelé fetch_user {len(recus)} fois "
        f"({', '.join(show(r) for r in recus) or 'jamais'}) ; attendu une fois, "
        f"fetch_user({c.user_id}){SANS_AWAIT if not recus else ''}"
    )
    articles = ex.calls_of("fetch_posts")
    assert len(articles) == 1, (
        f"{appel} a appelé fetch_posts {len(articles)} fois ; attendu une fois, avec le nom "
        f"renvoyé par fetch_user{SANS_AWAIT if not articles else ''}"
    )
    recu = argument(articles[0], "user")
    if recu != c.nom:
        if recu == c.leurre:
            cause = f" : c'est NOMS[{c.user_id}], pas ce qu'a renvoyé fetch_user"
        elif _sans_await(recu):
            cause = (
                f" : fetch_user({c.user_id}) appelé sans await ne renvoie pas un nom{SANS_AWAIT}"
            )
        else:
            cause = ""
        raise AssertionError(
            f"{appel} a appelé fetch_posts({show(recu)}){cause} ; attendu "
            f"fetch_posts({c.nom!r}), avec le nom que fetch_user({c.user_id}) a renvoyé"
        )
    fin_nom = _fin(utilisateurs[0]) - ex.t0
    debut = articles[0].start - ex.t0
    assert debut > fin_nom - TOLERANCE, (
        f"{appel} : fetch_posts({c.nom!r}) a commencé à {fmt_t(debut)}, avant la fin de "
        f"fetch_user({c.user_id}) à {fmt_t(fin_nom)} ; attendu la seconde étape une fois la "
        "première finie"
    )
    attendu = (c.nom, list(c.articles))
    valeur = ex.value
    assert isinstance(valeur, (tuple, list)) and tuple(valeur) == attendu, (
        f"{appel} a renvoyé {show(valeur)} ; attendu {attendu!r} : le nom renvoyé par "
        "fetch_user et la liste renvoyée par fetch_posts, tels quels"
    )
    assert abs(ex.elapsed - c.fin) < TOLERANCE, (
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)} ; attendu à {fmt_t(c.fin)} : "
        f"{c.attente_nom:.2f} s pour fetch_user, puis aussitôt {c.attente_articles:.2f} s pour "
        f"fetch_posts{blocking_note(ex)}"
    )


@pytest.mark.timeline(schedule="chaines")
@given(chaines=lots(min_size=2))
@example(chaines=MELANGE)
def test_chaines_simultanees(student: Any, chaines: list[Chaine]) -> None:
    appel = _appel_toutes(chaines)
    ex = _lancer(student, "toutes_les_chaines", [c.user_id for c in chaines], chaines)
    utilisateurs = ex.calls_of("fetch_user")
    recus = Counter(show(argument(a, "user_id")) for a in utilisateurs)
    attendus = Counter(show(c.user_id) for c in chaines)
    assert recus == attendus, (
        f"{appel} a appelé fetch_user {len(utilisateurs)} fois "
        f"({', '.join(sorted(recus.elements())) or 'jamais'}) ; attendu une fois par "
        f"identifiant ({', '.join(attendus)}){SANS_AWAIT if not utilisateurs else ''}"
    )
    for a in sorted(utilisateurs, key=lambda a: a.start):
        t = a.start - ex.t0
        assert abs(t) < TOLERANCE, (
            f"{appel} a lancé fetch_user({show(argument(a, 'user_id'))}) à {fmt_t(t)} ; "
            f"attendu toutes les chaînes lancées ensemble, chaque fetch_user à {fmt_t(0)}"
            f"{blocking_note(ex)}"
        )
    dernier_nom = max(c.attente_nom for c in chaines)
    par_nom: dict[Any, list[Recorded]] = {}
    for a in ex.calls_of("fetch_posts"):
        par_nom.setdefault(argument(a, "user"), []).append(a)
    for c in sorted(chaines, key=lambda c: c.attente_nom):
        faits = par_nom.get(c.nom, [])
        if len(faits) != 1:
            recus = ", ".join(show(nom) for nom in par_nom) or "rien, jamais appelée"
            leurres = " : ce sont les noms de NOMS" if c.leurre in par_nom else ""
            raise AssertionError(
                f"{appel} a appelé fetch_posts({c.nom!r}) {len(faits)} fois ; attendu une fois, "
                f"avec le nom renvoyé par fetch_user({c.user_id}). fetch_posts a reçu : "
                f"{recus}{leurres}{_sans_await(recus)} ({_contexte(chaines)})"
            )
        t = faits[0].start - ex.t0
        cause = (
            " : c'est la fin du dernier fetch_user, les articles ont attendu tous les utilisateurs"
            if abs(t - dernier_nom) < TOLERANCE
            else ""
        )
        assert abs(t - c.attente_nom) < TOLERANCE, (
            f"{appel} : fetch_posts({c.nom!r}) a commencé à {fmt_t(t)}{cause} ; attendu à "
            f"{fmt_t(c.attente_nom)}, dès que fetch_user({c.user_id}) a rendu son nom : chaque "
            "chaîne enchaîne ses deux étapes sans attendre les autres "
            f"({_contexte(chaines)}){blocking_note(ex)}"
        )


@pytest.mark.timeline(schedule="chaines")
@given(chaines=lots())
@example(chaines=MELANGE)
@example(chaines=ENTIERS)
@example(chaines=LONGS)
def test_total_egal_a_la_plus_longue(student: Any, chaines: list[Chaine]) -> None:
    appel = _appel_toutes(chaines)
    ex = _lancer(student, "toutes_les_chaines", [c.user_id for c in chaines], chaines)
    attendu = max(c.fin for c in chaines)
    assert abs(ex.elapsed - attendu) < TOLERANCE, (
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)}{_pourquoi_duree(ex, chaines)} ; attendu "
        f"à {fmt_t(attendu)}, la durée de la chaîne la plus longue : toutes tournent en même "
        f"temps ({_contexte(chaines)}){blocking_note(ex)}"
    )
    _, total = _couple(ex, appel)
    if not (_est_nombre(total) and abs(total - attendu) < TOLERANCE):
        somme = sum(c.fin for c in chaines)
        cause = (
            " : c'est la somme des durées des chaînes, alors qu'elles tournent en même temps"
            if _est_nombre(total) and len(chaines) > 1 and abs(total - somme) < TOLERANCE
            else ""
        )
        montre = f"{total:.2f}" if _est_nombre(total) else show(total)
        raise AssertionError(
            f"{appel} a duré {ex.elapsed:.2f} s et a renvoyé le total {montre}{cause} ; "
            f"attendu {attendu:.2f}, mesuré avec time.perf_counter() avant et après l'attente "
            "de toutes les chaînes"
        )
    texte = f"Temps total : {attendu:.2f}s"
    bilan = ex.first("Temps total")
    assert bilan is not None, f"{appel} n'a pas affiché la ligne « {texte} »"
    assert norm(bilan.text) == texte, (
        f"{appel} : la ligne du temps total n'est pas celle attendue, avec la durée écrite "
        f"avec deux chiffres après la virgule{line_diff(norm(bilan.text), texte)}"
    )
    assert abs(bilan.t - attendu) < TOLERANCE, (
        f"{appel} a affiché « {texte} » à {fmt_t(bilan.t)} ; attendu à {fmt_t(attendu)}, une "
        "fois toutes les chaînes finies"
    )


@pytest.mark.timeline(schedule="chaines")
@given(chaines=lots(min_size=2))
@example(chaines=MELANGE)
def test_lignes_dans_l_ordre_de_fin(student: Any, chaines: list[Chaine]) -> None:
    appel = _appel_toutes(chaines)
    ex = _lancer(student, "toutes_les_chaines", [c.user_id for c in chaines], chaines)
    for c in chaines:
        lignes = _lignes_de(ex, c)
        assert len(lignes) == 1, (
            f"{appel} a affiché {len(lignes)} ligne(s) « {c.nom} : … » ; attendu une ligne par "
            f"chaîne, « {_texte(c)} », au moment où elle se termine. Affiché : "
            f"{show([norm(t) for t in ex.texts])} ({_contexte(chaines)})"
        )
    dans_l_ordre = sorted(chaines, key=lambda c: c.fin)
    vus = [c.nom for ln in ex.lines for c in chaines if norm(ln.text).startswith(f"{c.nom} :")]
    voulus = [c.nom for c in dans_l_ordre]
    assert vus == voulus, (
        f"{appel} a affiché les lignes des chaînes dans l'ordre {', '.join(vus)} ; attendu "
        f"{', '.join(voulus)}, l'ordre où les chaînes se terminent ({_contexte(chaines)})"
    )
    for c in dans_l_ordre:
        ligne = _lignes_de(ex, c)[0]
        cause = (
            " : toutes les lignes ont été affichées à la fin"
            if c is not dans_l_ordre[-1] and abs(ligne.t - ex.elapsed) < TOLERANCE
            else ""
        )
        assert abs(ligne.t - c.fin) < TOLERANCE, (
            f"{appel} a affiché « {norm(ligne.text)} » à {fmt_t(ligne.t)}{cause} ; attendu à "
            f"{fmt_t(c.fin)}, au moment où la chaîne de {c.nom} se termine "
            f"({c.attente_nom:.2f} s + {c.attente_articles:.2f} s){blocking_note(ex)}"
        )


@given(chaines=lots(min_size=1, max_size=1))
@example(chaines=[ENTIER])
@example(chaines=[CENTIEMES])
@example(chaines=[GRAND])
def test_format_des_lignes(student: Any, chaines: list[Chaine]) -> None:
    c = chaines[0]
    appel = f"chaine({c.user_id}) ({c.decrire()})"
    ex = _lancer(student, "chaine", c.user_id, chaines)
    texte = _texte(c)
    lignes = [norm(t) for t in ex.texts if t.strip()]
    assert len(lignes) == 1, (
        f"{appel} a affiché {show(lignes)} ; attendu une seule ligne, « {texte} »"
    )
    if lignes[0] != texte:
        lu = DUREE_AFFICHEE.search(lignes[0])
        duree = float(lu.group(1)) if lu else None
        cause = ""
        if not lignes[0].startswith(f"{c.nom} :"):
            relu = f" (c'est NOMS[{c.user_id}])" if lignes[0].startswith(f"{c.leurre} ") else ""
            cause = (
                f" ; le nom affiché n'est pas {c.nom!r}, celui que fetch_user({c.user_id}) a "
                f"renvoyé{relu}{_sans_await(lignes[0])}"
            )
        elif not lignes[0].startswith(f"{c.nom} : {len(c.articles)} "):
            cause = (
                f" ; fetch_posts a renvoyé {len(c.articles)} article(s) : le nombre affiché est "
                "celui de la liste reçue"
            )
        elif duree is not None and abs(duree - c.fin) >= 0.01:
            if abs(duree - c.attente_articles) < 0.01:
                cause = (
                    " ; la durée affichée est celle de fetch_posts seule : mesurez depuis le "
                    "début de la chaîne, avant fetch_user"
                )
            else:
                cause = (
                    f" ; la chaîne a duré {c.fin:.2f} s depuis son propre début (appel à "
                    f"{fmt_t(0)}, fin à {fmt_t(c.fin)}), la durée affichée n'est pas mesurée "
                    "depuis ce début"
                )
        raise AssertionError(
            f"{appel} : la ligne affichée n'est pas celle attendue : le nom renvoyé par "
            "fetch_user, le nombre d'articles reçus de fetch_posts et la durée de la chaîne "
            f"avec deux chiffres après la virgule{cause}{line_diff(lignes[0], texte)}"
        )


@given(chaines=lots())
@example(chaines=MELANGE)
def test_resultats_dans_l_ordre(student: Any, chaines: list[Chaine]) -> None:
    appel = _appel_toutes(chaines)
    ex = _lancer(student, "toutes_les_chaines", [c.user_id for c in chaines], chaines)
    articles, _ = _couple(ex, appel)
    attendu = {c.nom: list(c.articles) for c in chaines}
    assert isinstance(articles, dict), (
        f"{appel} a renvoyé {show(articles)} comme articles ; attendu un dictionnaire "
        f"{{user: posts}}, ses clés les noms renvoyés par fetch_user{_sans_await(articles)}"
    )
    if articles != attendu:
        leurres = [c.leurre for c in chaines if c.leurre in articles]
        cause = f" ; {', '.join(leurres)} vient de NOMS, pas de fetch_user" if leurres else ""
        raise AssertionError(
            f"{appel} a renvoyé les articles {show(articles)} ; attendu {show(attendu)} : pour "
            "chaque nom renvoyé par fetch_user, la liste renvoyée par fetch_posts, telle "
            f"quelle{cause} ({_contexte(chaines)})"
        )
    ordre = list(articles)
    voulu = list(attendu)
    fins = [c.nom for c in sorted(chaines, key=lambda c: c.fin)]
    cause = ", l'ordre où les chaînes se terminent" if ordre == fins else ""
    assert ordre == voulu, (
        f"{appel} a renvoyé les articles dans l'ordre {', '.join(ordre)}{cause} ; attendu "
        f"l'ordre des identifiants donnés : {', '.join(voulu)}"
    )


def test_liste_vide(student: Any) -> None:
    appel = "toutes_les_chaines([])"
    ex = _lancer(student, "toutes_les_chaines", [], [])
    appels = len(ex.calls_of("fetch_user")) + len(ex.calls_of("fetch_posts"))
    assert appels == 0, (
        f"{appel} a appelé fetch_user ou fetch_posts {appels} fois ; attendu aucun appel, "
        "il n'y a aucune chaîne"
    )
    articles, total = _couple(ex, appel)
    assert articles == {} and _est_nombre(total) and abs(total) < TOLERANCE, (
        f"{appel} a renvoyé {show(ex.value)} ; attendu ({{}}, 0.0) : aucun article, et un total nul"
    )
    lignes = [norm(t) for t in ex.texts if t.strip()]
    attendu = "Temps total : 0.00s"
    assert lignes == [attendu], (
        f"{appel} a affiché {show(lignes)} ; attendu la seule ligne « {attendu} »"
    )
    assert abs(ex.elapsed) < TOLERANCE, (
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)} ; attendu à {fmt_t(0)}, sans rien "
        f"attendre{blocking_note(ex)}"
    )
