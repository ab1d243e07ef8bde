"""Hidden tests of ex8_async_with: one shared connection, open while every request runs.

Every property is checked on generated pages (URLs, delays, contents and
connection times the student cannot guess), set for each call through the
module's constants (`PAGES`, `DUREE_OUVERTURE`, `DUREE_FERMETURE`, `URLS`,
`URL_EN_PANNE`), with the module's own given functions spied or faked.
Delays are distinct hundredths of a second: no two responses arrive at the
same instant, and a total printed with one decimal instead of two shows.
The page that fails is always the slowest, so that once its exception
leaves `asyncio.gather` no other request is still running.

Long because it is a list: one function per catalogue test, each with the
generator of its inputs and the French message of each way it can fail.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader.judge.harness import (
    TOLERANCE,
    Execution,
    Fake,
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

if TYPE_CHECKING:
    from grader.protocol import Recorded


NOMS = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6)
CONTENUS = st.text(alphabet=string.ascii_letters + " ", min_size=1, max_size=12)

SPIES = ("ouvrir_connexion", "requete", "fermer_connexion")


@dataclass(frozen=True)
class Site:
    """The pages of one call: each URL's delay and content, and the connection's times."""

    pages: dict[str, tuple[float, str | None]]
    ouverture: float
    fermeture: float

    @property
    def urls(self) -> list[str]:
        return [url for url, (_, contenu) in self.pages.items() if contenu is not None]

    @property
    def plus_long(self) -> float:
        return max((d for d, c in self.pages.values() if c is not None), default=0.0)

    @property
    def total(self) -> float:
        return self.ouverture + self.plus_long + self.fermeture

    def patch(self) -> dict[str, Any]:
        return {
            "PAGES": dict(self.pages),
            "DUREE_OUVERTURE": self.ouverture,
            "DUREE_FERMETURE": self.fermeture,
        }


@st.composite
def sites(draw: st.DrawFn, min_pages: int = 0, max_pages: int = 6, panne: bool = False) -> Site:
    """`min_pages` to `max_pages` pages that answer, and one more that fails when `panne`.

    The failing page is the slowest one and comes last in PAGES.
    """
    n = draw(st.integers(min_value=min_pages, max_value=max_pages))
    total = n + (1 if panne else 0)
    noms = draw(st.lists(NOMS, min_size=total, max_size=total, unique=True))
    centiemes = draw(
        st.lists(
            st.integers(min_value=5, max_value=999), min_size=total, max_size=total, unique=True
        )
    )
    if panne:
        # The slowest delay goes to the failing page.
        lent = max(centiemes)
        centiemes.remove(lent)
        centiemes.append(lent)
    contenus = draw(st.lists(CONTENUS, min_size=n, max_size=n))
    pages: dict[str, tuple[float, str | None]] = {}
    for i, (nom, c) in enumerate(zip(noms, centiemes, strict=True)):
        contenu = contenus[i] if i < n else None
        pages[f"https://{nom}.exemple.org/page"] = (c / 100, contenu)
    ouverture = draw(st.integers(min_value=1, max_value=150)) / 100
    fermeture = draw(st.integers(min_value=1, max_value=150)) / 100
    return Site(pages, ouverture, fermeture)


def _site(pages: dict[str, tuple[float, str | None]], ouverture: float, fermeture: float) -> Site:
    return Site(pages, ouverture, fermeture)


# Listed in an order that is neither the order of the responses nor its reverse.
MELANGE = _site(
    {
        "https://catalogue.exemple.org/livres": (2.35, "mille livres"),
        "https://meteo.exemple.org/demain": (0.45, "pluie"),
        "https://trafic.exemple.org/a7": (1.15, "fluide"),
        "https://agenda.exemple.org/lundi": (3.05, "réunion à 9 h"),
    },
    0.35,
    0.15,
)

# Durations whose wrong formatting shows: integers (`{duree}` prints `15.0`, not
# `15.00`), hundredths (`1.35` is shown `1.4` with one decimal), a large value.
FORMATS = _site({"https://long.exemple.org/x": (12.0, "x")}, 1.0, 2.0)
CENTIEMES = _site({"https://court.exemple.org/y": (0.95, "y")}, 0.25, 0.15)

VIDE = _site({}, 0.4, 0.3)

# The failing page last and slowest, after pages that answer.
AVEC_PANNE = _site(
    {
        "https://meteo.exemple.org/demain": (0.45, "pluie"),
        "https://trafic.exemple.org/a7": (1.15, "fluide"),
        "https://panne.exemple.org/hs": (1.85, None),
    },
    0.35,
    0.15,
)


# -- helpers ----------------------------------------------------------------------------


def _appel(urls: list[str]) -> str:
    return f"telecharger_tout({urls})"


def _url_de(appel: Recorded) -> Any:
    """The URL a recorded requete call was given, by position or by keyword."""
    return appel.args[0] if appel.args else appel.kwargs.get("url")


def _connexion_de(appel: Recorded) -> Any:
    """The connection a recorded requete call was given, by position or by keyword."""
    return appel.args[1] if len(appel.args) > 1 else appel.kwargs.get("connexion")


def _lancer(
    student: StudentModule,
    site: Site,
    urls: list[str],
    *,
    spies: tuple[str, ...] = SPIES,
    fakes: tuple[Any, ...] = (),
) -> Execution:
    telecharger_tout = require(student, "telecharger_tout", coroutine=True)
    return run(telecharger_tout, list(urls), spies=spies, fakes=fakes, patch=site.patch())


def _une_fois(ex: Execution, nom: str, appel: str, pourquoi: str) -> Recorded:
    appels = ex.calls_of(nom)
    if not appels:
        vide = (
            " (même sans URL, la connexion est ouverte puis fermée)"
            if appel.endswith("([])")
            else ""
        )
        sans_await = (
            " ; un appel sans await ne s'exécute pas (voir « Les pièges classiques »)"
            if nom == "fermer_connexion"
            else ""
        )
        raise AssertionError(
            f"{appel} n'a jamais exécuté {nom} ; attendu un appel {pourquoi}{vide}{sans_await}"
        )
    assert len(appels) == 1, (
        f"{appel} a appelé {nom} {len(appels)} fois ; attendu une seule fois {pourquoi} : "
        "une seule connexion partagée par toutes les requêtes, pas une par requête"
    )
    return appels[0]


def _fin(appel: Recorded) -> float:
    return appel.end if appel.end is not None else appel.start


# -- tests --------------------------------------------------------------------------------


@given(site=sites())
@example(site=VIDE)
@example(site=MELANGE)
def test_une_seule_connexion(student: Any, site: Site) -> None:
    urls = site.urls
    appel = _appel(urls)
    # A connection of the grader's: every request and the closing must be given this one.
    jeton = {"ouverte": True, "numero": 7000 + len(urls) * 97 + int(site.ouverture * 100)}
    ouvrir = Fake("ouvrir_connexion", default_delay=site.ouverture, default_result=jeton)
    ex = _lancer(student, site, urls, spies=("requete", "fermer_connexion"), fakes=(ouvrir,))
    _une_fois(ex, "ouvrir_connexion", appel, "pour ouvrir la connexion")
    fermeture = _une_fois(ex, "fermer_connexion", appel, "pour fermer la connexion")
    recue = fermeture.args[0] if fermeture.args else fermeture.kwargs.get("connexion")
    assert recue == jeton, (
        f"{appel} a fermé {show(recue)} ; attendu la connexion renvoyée par "
        f"ouvrir_connexion(), ici {jeton}"
    )
    par_url: dict[Any, list[Recorded]] = {}
    for r in ex.calls_of("requete"):
        par_url.setdefault(_url_de(r), []).append(r)
    for url in urls:
        faits = par_url.get(url, [])
        assert len(faits) == 1, (
            f"{appel} a appelé requete({url!r}, …) {len(faits)} fois ; attendu une fois par URL"
        )
        connexion = _connexion_de(faits[0])
        assert connexion == jeton, (
            f"{appel} a appelé requete({url!r}, {show(connexion)}) ; attendu la connexion "
            f"ouverte par le bloc async with, ici {jeton} : toutes les requêtes passent par "
            "la même connexion"
        )
    autres = [u for u in par_url if u not in urls]
    assert not autres, f"{appel} a appelé requete pour {show(autres)}, qui n'est pas dans urls"


@pytest.mark.timeline
@given(site=sites(min_pages=1))
@example(site=VIDE)
@example(site=MELANGE)
def test_fermee_apres_la_derniere_reponse(student: Any, site: Site) -> None:
    urls = site.urls
    appel = _appel(urls)
    ex = _lancer(student, site, urls)
    ouvertures = ex.calls_of("ouvrir_connexion")
    assert ouvertures, f"{appel} n'a pas appelé ouvrir_connexion ; attendu une ouverture"
    fin_ouverture = min(_fin(o) for o in ouvertures)
    requetes = ex.calls_of("requete")
    for r in sorted(requetes, key=lambda r: r.start):
        assert r.start >= fin_ouverture - TOLERANCE, (
            f"{appel} : requete({_url_de(r)!r}, …) a commencé à {fmt_t(r.start - ex.t0)}, "
            f"avant la fin de l'ouverture de la connexion à {fmt_t(fin_ouverture - ex.t0)}"
        )
    fermetures = ex.calls_of("fermer_connexion")
    assert fermetures, (
        f"{appel} n'a jamais fermé la connexion ; attendu un appel de fermer_connexion à la "
        "sortie du bloc async with (un fermer_connexion(...) sans await ne s'exécute pas)"
    )
    if not requetes:
        return
    derniere = max(requetes, key=_fin)
    for f in sorted(fermetures, key=lambda f: f.start):
        assert f.start >= _fin(derniere) - TOLERANCE, (
            f"{appel} : la fermeture de la connexion a commencé à {fmt_t(f.start - ex.t0)}, "
            f"avant la réponse de {_url_de(derniere)!r} à {fmt_t(_fin(derniere) - ex.t0)} ; "
            "attendu la fermeture après la dernière réponse : attendez toutes les requêtes "
            f"à l'intérieur du bloc async with{blocking_note(ex)}"
        )


@pytest.mark.timeline
@given(site=sites(min_pages=2))
@example(site=MELANGE)
def test_requetes_simultanees(student: Any, site: Site) -> None:
    urls = site.urls
    appel = _appel(urls)
    ex = _lancer(student, site, urls)
    ouvertures = ex.calls_of("ouvrir_connexion")
    debut = min((_fin(o) for o in ouvertures), default=ex.t0 + site.ouverture) - ex.t0
    for r in sorted(ex.calls_of("requete"), key=lambda r: r.start):
        t = r.start - ex.t0
        assert abs(t - debut) < TOLERANCE, (
            f"{appel} : requete({_url_de(r)!r}, …) a commencé à {fmt_t(t)} ; attendu à "
            f"{fmt_t(debut)}, dès la connexion ouverte, en même temps que toutes les autres "
            f"requêtes{blocking_note(ex)}"
        )
    somme = site.ouverture + sum(d for d, _ in site.pages.values()) + site.fermeture
    if abs(ex.elapsed - site.total) >= TOLERANCE:
        if abs(ex.elapsed - somme) < TOLERANCE:
            cause = (
                " : c'est la somme des délais, les requêtes se sont faites l'une après "
                "l'autre au lieu d'en même temps"
            )
        else:
            cause = ""
        raise AssertionError(
            f"{appel} s'est terminé à {fmt_t(ex.elapsed)}{cause} ; attendu à "
            f"{fmt_t(site.total)} : ouverture ({site.ouverture:.2f} s) + la plus longue "
            f"requête ({site.plus_long:.2f} s) + fermeture ({site.fermeture:.2f} s)"
            f"{blocking_note(ex)}"
        )


@pytest.mark.timeline
@given(site=sites(min_pages=0, max_pages=4, panne=True))
@example(site=AVEC_PANNE)
def test_fermee_meme_en_cas_d_erreur(student: Any, site: Site) -> None:
    main = require(student, "main", coroutine=True)
    urls = site.urls
    panne = next(url for url, (_, c) in site.pages.items() if c is None)
    patch = {**site.patch(), "URLS": list(urls), "URL_EN_PANNE": panne}
    ex = run(main, spies=SPIES, patch=patch)
    appel = f"main() (URLS = {urls}, URL_EN_PANNE = {panne!r})"
    en_panne = [r for r in ex.calls_of("requete") if _url_de(r) == panne]
    assert en_panne, (
        f"{appel} n'a jamais appelé requete({panne!r}, …) ; attendu que le second essai de "
        "main demande aussi la page en panne"
    )
    t_panne = _fin(en_panne[-1])
    echec = ex.first("Échec")
    attendu = f"Échec : {panne} ne répond pas"
    assert echec is not None, (
        f"{appel} n'a pas affiché « {attendu} » : l'exception ConnectionError levée par "
        "requete n'est pas arrivée jusqu'à main"
    )
    assert norm(echec.text) == attendu, (
        f"{appel} : la ligne d'échec n'est pas celle attendue, avec le message de "
        f"l'exception levée par requete{line_diff(norm(echec.text), attendu)}"
    )
    toutes = ex.calls_of("fermer_connexion")
    assert toutes, (
        f"{appel} n'a jamais exécuté fermer_connexion ; attendu la connexion fermée à la "
        "sortie de chaque bloc async with (un appel sans await ne s'exécute pas)"
    )
    apres = [f for f in toutes if f.start >= t_panne - TOLERANCE]
    avant = [f for f in toutes if f.start >= en_panne[-1].start - TOLERANCE]
    if not apres and avant:
        raise AssertionError(
            f"{appel} : la connexion du second essai a été fermée à "
            f"{fmt_t(avant[0].start - ex.t0)}, avant que requete({panne!r}, …) ne lève "
            f"ConnectionError à {fmt_t(t_panne - ex.t0)} ; attendu la fermeture après la "
            "dernière réponse : attendez les requêtes à l'intérieur du bloc async with"
        )
    assert apres, (
        f"{appel} : requete({panne!r}, …) a levé ConnectionError à {fmt_t(t_panne - ex.t0)} "
        "et la connexion n'a pas été fermée ensuite ; attendu fermer_connexion dans un "
        "finally, exécuté même quand le bloc async with lève une exception"
    )
    fin = min(_fin(f) for f in apres) - ex.t0
    assert fin <= echec.t + TOLERANCE, (
        f"{appel} : « Échec » affiché à {fmt_t(echec.t)}, avant la fin de la fermeture de "
        f"la connexion à {fmt_t(fin)} ; attendu la connexion fermée avant que l'exception "
        "n'arrive à main"
    )
    ouvertures = len(ex.calls_of("ouvrir_connexion"))
    fermetures = len(ex.calls_of("fermer_connexion"))
    assert ouvertures == fermetures, (
        f"{appel} a ouvert {ouvertures} connexion(s) et en a fermé {fermetures} ; attendu "
        "chaque connexion ouverte fermée une fois, que les requêtes réussissent ou non"
    )


@given(site=sites(min_pages=0, max_pages=4, panne=True))
@example(site=AVEC_PANNE)
def test_exception_remonte(student: Any, site: Site) -> None:
    urls = list(site.pages)
    panne = urls[-1]
    appel = _appel(urls)
    attendu = f"{panne} ne répond pas"
    try:
        ex = _lancer(student, site, urls)
    except StudentError as exc:
        erreur = exc.error
        if erreur is None or erreur.kind == "not_implemented":
            raise
        types = (erreur.type.rsplit(".", 1)[-1], *erreur.builtin_bases)
        ou = f" ({exc.where})" if exc.where else ""
        avalee = (
            " ; l'exception a été attrapée en chemin (un except dans client_partage ?) et "
            "telecharger_tout a continué sans les résultats"
            if erreur.type in ("UnboundLocalError", "NameError")
            else ""
        )
        assert "ConnectionError" in types, (
            f"{appel} a levé {erreur.type}{ou} : {erreur.message}{avalee} ; attendu "
            f"l'exception ConnectionError de requete({panne!r}, …), telle quelle, sans "
            "l'attraper"
        )
        assert norm(erreur.message) == attendu, (
            f"{appel} a levé ConnectionError({erreur.message!r}) ; attendu "
            f"ConnectionError({attendu!r}), l'exception levée par requete, telle quelle"
        )
        return
    raise AssertionError(
        f"{appel} a renvoyé {show(ex.value)} alors que requete({panne!r}, …) a levé "
        f"ConnectionError({attendu!r}) ; attendu que l'exception sorte de telecharger_tout : "
        "le gestionnaire de contexte ferme la connexion dans un finally mais n'attrape pas "
        "l'exception"
    )


@given(site=sites(min_pages=1))
@example(site=MELANGE)
def test_resultats_dans_l_ordre(student: Any, site: Site) -> None:
    urls = site.urls
    appel = _appel(urls)
    # requete is the grader's for this call: its answers are not PAGES' contents.
    reponses = {url: f"réponse {i} : {c}" for i, (url, (_, c)) in enumerate(site.pages.items())}
    faux = Fake("requete", rows={url: (d, reponses[url]) for url, (d, _) in site.pages.items()})
    ex = _lancer(student, site, urls, spies=(), fakes=(faux,))
    valeur = ex.value
    assert isinstance(valeur, tuple) and len(valeur) == 2, (
        f"{appel} a renvoyé {show(valeur)} ; attendu un couple (pages, duree)"
    )
    pages = valeur[0]
    attendu = {url: reponses[url] for url in urls}
    assert isinstance(pages, dict), (
        f"{appel} a renvoyé {show(pages)} comme pages ; attendu un dictionnaire {{url: contenu}}"
    )
    assert pages == attendu, (
        f"{appel} a renvoyé les pages {show(pages)} ; attendu {show(attendu)} : pour "
        "chaque URL, ce que requete a renvoyé pour elle"
    )
    ordre = list(pages)
    assert ordre == urls, (
        f"{appel} a renvoyé les pages dans l'ordre {', '.join(ordre)} ; attendu l'ordre de "
        f"urls : {', '.join(urls)}"
    )


@given(site=sites())
@example(site=FORMATS)
@example(site=CENTIEMES)
@example(site=VIDE)
def test_duree_et_bilan(student: Any, site: Site) -> None:
    urls = site.urls
    appel = _appel(urls)
    ex = _lancer(student, site, urls)
    valeur = ex.value
    assert isinstance(valeur, tuple) and len(valeur) == 2, (
        f"{appel} a renvoyé {show(valeur)} ; attendu un couple (pages, duree)"
    )
    duree = valeur[1]
    nombre = isinstance(duree, (int, float)) and not isinstance(duree, bool)
    assert nombre and abs(duree - ex.elapsed) < TOLERANCE, (
        f"{appel} a duré {ex.elapsed:.2f} s et a renvoyé la durée {show(duree)} ; attendu "
        f"{ex.elapsed:.2f} s, mesurée avec time.perf_counter() avant le bloc async with et "
        "après lui, ouverture et fermeture comprises"
    )
    texte = f"Terminé : {len(urls)} page(s) en {ex.elapsed:.2f}s"
    bilan = ex.first("Terminé")
    assert bilan is not None, f"{appel} n'a pas affiché la ligne « {texte} »"
    assert norm(bilan.text) == texte, (
        f"{appel} : la ligne de bilan n'est pas celle attendue, avec le nombre d'URL et la "
        f"durée écrite avec deux chiffres après la virgule{line_diff(norm(bilan.text), texte)}"
    )
    fermees = [_fin(f) - ex.t0 for f in ex.calls_of("fermer_connexion")]
    if fermees:
        assert bilan.t >= max(fermees) - TOLERANCE, (
            f"{appel} a affiché « {texte} » à {fmt_t(bilan.t)}, avant la fin de la fermeture "
            f"de la connexion à {fmt_t(max(fermees))} ; attendu le bilan après le bloc "
            "async with"
        )


@given(site=sites(min_pages=1, max_pages=4))
@example(site=MELANGE)
def test_utilise_client_partage(student: Any, site: Site) -> None:
    urls = site.urls
    appel = _appel(urls)
    assert student.kind("client_partage") is not None, (
        f"client_partage est introuvable dans {student.file} ; attendu le gestionnaire de "
        "contexte écrit avec @asynccontextmanager"
    )
    ex = _lancer(student, site, urls, spies=("client_partage", *SPIES))
    faits = len(ex.calls_of("client_partage"))
    assert faits == 1, (
        f"{appel} a appelé client_partage() {faits} fois ; attendu une seule fois, dans "
        "« async with client_partage() as connexion: », pour toutes les requêtes"
    )
