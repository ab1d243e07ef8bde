"""Hidden tests of ex4_pipeline: values, sentinels, shutdown, schedule, printing.

The student's `recuperer` and `analyser` are replaced by fakes whose fetch time
per URL and analysis time the test chooses, on generated URLs, numbers of
consumers and timings: a program tuned to URLS or to the statement's sample
fails. Fetch times are distinct tenths of a second, so the order in which the
items reach the queue is never ambiguous.

The expected schedule: items enter the FIFO queue as their fetch ends; each
goes to the first free consumer. With equal analysis times that greedy
schedule is the best one, and its finishing time does not depend on which of
several free consumers takes an item.

Long because it is a list: one function per catalogue test, each with the
generator of its inputs and the French message of each way it can fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader.judge.harness import (
    TOLERANCE,
    Execution,
    Fake,
    Queue,
    blocking_note,
    fmt_t,
    line_diff,
    norm,
    require,
    show,
)

# Helpers shared with the public tests, which always ship alongside these.
from grader.suites.public.test_ex4_pipeline import COMPARAISON, TEMPS_TOTAL, _executer, planning

if TYPE_CHECKING:
    # Only for the annotations: the harness builds these records without naming them.
    from grader.protocol import FakeSpec


# Where a fake fetch of an address the test never gave ends (a program that
# fetches URLS instead of its argument): any value, as long as it is reported.
DELAI_INCONNU = 1.0

LIGNE_ANALYSE = re.compile(r"^(.+?) a analysé (\S+)$")


@dataclass(frozen=True)
class Scenario:
    urls: list[str]
    delais: dict[str, float]  # fetch time of each URL
    analyse: float  # time of every analysis
    k: int  # number of consumers

    def decrire(self) -> str:
        """The timings in a line a student can redo by hand."""
        dossiers = {u[: u.rfind("/") + 1] for u in self.urls}
        prefixe = dossiers.pop() if len(dossiers) == 1 and len(self.urls) > 1 else ""
        if prefixe:
            fins = ", ".join(f"…/{u[len(prefixe) :]} en {self.delais[u]:.1f} s" for u in self.urls)
            recuperations = f"récupérations de {prefixe}… : {fins}"
        else:
            fins = ", ".join(f"{u} en {self.delais[u]:.1f} s" for u in self.urls)
            recuperations = f"récupérations : {fins}"
        return f"{recuperations} ; chaque analyse dure {self.analyse:.1f} s"


def _scenario(delais: dict[str, float], analyse: float, k: int) -> Scenario:
    return Scenario(list(delais), delais, analyse, k)


@st.composite
def scenarios(draw: st.DrawFn, min_urls: int = 1) -> Scenario:
    """1 to 6 generated URLs, distinct fetch times from 0.1 s to 4.0 s, 1 to 5 consumers."""
    n = draw(st.integers(min_value=min_urls, max_value=6))
    numeros = draw(st.lists(st.integers(1, 999), min_size=n, max_size=n, unique=True))
    dixiemes = draw(st.lists(st.integers(1, 40), min_size=n, max_size=n, unique=True))
    analyse = draw(st.integers(1, 20)) / 10
    k = draw(st.integers(min_value=1, max_value=5))
    urls = [f"https://capteurs.test/releves/{m}" for m in numeros]
    return _scenario({u: d / 10 for u, d in zip(urls, dixiemes, strict=True)}, analyse, k)


# Checked before any generated case: the statement's addresses with fixed fetch
# times, launched in an order that is neither the arrival order nor its reverse.
PAR_DEFAUT = _scenario(
    {
        f"https://api.exemple.fr/mesures/{i}": d
        for i, d in enumerate([1.3, 0.6, 1.9, 0.8, 1.1, 1.6], 1)
    },
    1.0,
    2,
)
# Three consumers for five items, and the first URL of the list arrives late.
TROIS = _scenario(
    {
        "https://capteurs.test/releves/41": 2.4,
        "https://capteurs.test/releves/7": 0.3,
        "https://capteurs.test/releves/19": 0.5,
        "https://capteurs.test/releves/230": 0.4,
        "https://capteurs.test/releves/8": 3.7,
    },
    1.5,
    3,
)


# -- the fakes ---------------------------------------------------------------------------


def _numero(url: Any) -> int:
    try:
        return int(str(url).rsplit("/", 1)[-1])
    except ValueError:
        return 0


def _donnees(url: str) -> list[int]:
    n = _numero(url)
    return [n, 2 * n, 3 * n]


def _fakes(student: Any, sc: Scenario) -> tuple[FakeSpec, FakeSpec]:
    """What stands in for `recuperer` and `analyser`: the scenario's times, the statement's data.

    The module's own URLS get rows too (ending at DELAI_INCONNU): a program that
    fetches them instead of its argument gets their data, as with the given
    recuperer, and the test says which addresses it fetched.
    """
    urls = getattr(student, "URLS", [])
    autres = (
        [u for u in urls if isinstance(u, str) and u not in sc.delais]
        if isinstance(urls, list)
        else []
    )
    lignes = [(u, d, _donnees(u)) for u, d in sc.delais.items()]
    lignes += [(u, DELAI_INCONNU, _donnees(u)) for u in autres]
    recuperer = Fake(
        "recuperer", rows=lignes, default_delay=DELAI_INCONNU, default_result=_donnees("")
    )
    # Keyed by the data lists, hence triples; anything else is analysed in the same time, as 0.
    analyser = Fake(
        "analyser",
        rows=[(_donnees(u), sc.analyse, sum(_donnees(u))) for u in [*sc.urls, *autres]],
        default_delay=sc.analyse,
        default_result=0,
    )
    return recuperer, analyser


def _url_de(sc: Scenario, donnees: Any) -> str | None:
    """Which URL's data an analysis received (None: something else)."""
    for url in sc.urls:
        if isinstance(donnees, (list, tuple)) and list(donnees) == _donnees(url):
            return url
    return None


def _analyses(ex: Execution, sc: Scenario) -> list[tuple[str | None, float, float | None]]:
    """Each call of the fake analyser: whose data (by URL), start and end (absolute times)."""
    return [
        (_url_de(sc, a.args[0]) if a.args else None, a.start, a.end)
        for a in ex.calls_of("analyser")
    ]


def _recuperations(ex: Execution) -> list[tuple[Any, float, float | None]]:
    """Each call of the fake recuperer: its address, start and end (absolute times)."""
    return [(a.args[0] if a.args else None, a.start, a.end) for a in ex.calls_of("recuperer")]


# -- the expected schedule --------------------------------------------------------------


def total_attendu(sc: Scenario, k: int | None = None) -> float:
    return planning(list(sc.delais.values()), sc.analyse, sc.k if k is None else k)[1]


# -- helpers ------------------------------------------------------------------------------


# Each launcher returns the call as the messages write it, with its run: a test
# words its failures with the very call that was made.


def _lancer_pipeline(
    student: Any, sc: Scenario, spies: tuple[str, ...] = ()
) -> tuple[str, Execution]:
    appel = f"pipeline(urls, {sc.k})"
    fn = require(student, "pipeline", coroutine=True)
    return appel, _executer(appel, fn, sc.urls, sc.k, fakes=_fakes(student, sc), spies=spies)


def _lancer_producteur(student: Any, sc: Scenario) -> tuple[str, Execution]:
    appel = f"producteur(queue, urls, {sc.k})"
    fn = require(student, "producteur", coroutine=True)
    # Someone takes the items out, as consumers would: a producer that waits for
    # its queue to be drained (queue.join) still ends.
    ex = _executer(appel, fn, Queue(drain=True), sc.urls, sc.k, fakes=_fakes(student, sc))
    return appel, ex


def _resultat_pipeline(ex: Execution, appel: str) -> tuple[dict[Any, Any], float]:
    valeur = ex.value
    assert isinstance(valeur, tuple) and len(valeur) == 2, (
        f"{appel} a renvoyé {show(valeur)} ; attendu un couple (resultats, temps_total)"
    )
    resultats, elapsed = valeur
    assert isinstance(resultats, dict), (
        f"{appel} a renvoyé {show(valeur)} : le premier élément doit être le dictionnaire "
        "resultats (adresse -> valeur analysée)"
    )
    assert isinstance(elapsed, (int, float)) and not isinstance(elapsed, bool), (
        f"{appel} a renvoyé {show(valeur)} : le second élément doit être le temps total en "
        "secondes (un nombre)"
    )
    return resultats, float(elapsed)


# -- tests --------------------------------------------------------------------------------


@given(sc=scenarios())
@example(sc=PAR_DEFAUT)
@example(sc=TROIS)
def test_chaque_url_une_fois(student: Any, sc: Scenario) -> None:
    appel, ex = _lancer_pipeline(student, sc)
    resultats, _ = _resultat_pipeline(ex, appel)
    attendu = {url: sum(_donnees(url)) for url in sc.urls}
    for url, valeur in attendu.items():
        assert url in resultats, (
            f"{appel} : l'adresse {url} manque dans le dictionnaire renvoyé (clés reçues : "
            f"{sorted(map(str, resultats)) or 'aucune'}) ; attendu resultats[{url!r}] = "
            f"{valeur}, la valeur renvoyée par analyser pour ses données {_donnees(url)}"
        )
        assert resultats[url] == valeur, (
            f"{appel} : resultats[{url!r}] vaut {show(resultats[url])} ; attendu {valeur}, la "
            f"valeur renvoyée par analyser({_donnees(url)})"
        )
    en_trop = [cle for cle in resultats if cle not in attendu]
    assert not en_trop, (
        f"{appel} : le dictionnaire renvoyé contient aussi {show(en_trop)} ; attendu seulement "
        "les adresses reçues en argument"
    )
    analyses = _analyses(ex, sc)
    for url in sc.urls:
        fois = sum(1 for u, _, _ in analyses if u == url)
        assert fois == 1, (
            f"{appel} : les données de {url} ont été analysées {fois} fois ; attendu une seule "
            "fois (chaque élément de la file est pris par un seul consommateur)"
        )


@given(sc=scenarios())
@example(sc=PAR_DEFAUT)
@example(sc=TROIS)
def test_une_sentinelle_par_consommateur(student: Any, sc: Scenario) -> None:
    appel, ex = _lancer_producteur(student, sc)
    depots = [put.item for put in ex.queues[0]]
    sentinelles = [i for i, item in enumerate(depots) if item is None]
    donnees = [i for i, item in enumerate(depots) if item is not None]
    assert len(sentinelles) == sc.k, (
        f"{appel} a déposé {len(sentinelles)} fois None dans la file ; attendu {sc.k} : une "
        f"sentinelle par consommateur, car chacun des {sc.k} consommateurs s'arrête en "
        "prenant la sienne"
    )
    assert len(donnees) == len(sc.urls), (
        f"{appel} a déposé {len(donnees)} élément(s) de données dans la file ; attendu "
        f"{len(sc.urls)}, un couple (url, donnees) par adresse, avant les sentinelles"
    )
    assert max(donnees) < min(sentinelles), (
        f"{appel} a déposé la sentinelle None en position {min(sentinelles) + 1} sur "
        f"{len(depots)}, avant la fin des données ; attendu toutes les sentinelles après le "
        "dernier couple (url, donnees) : un consommateur qui reçoit None s'arrête, les "
        "données déposées après ne seraient jamais analysées"
    )


@pytest.mark.timeline
@given(sc=scenarios())
@example(sc=PAR_DEFAUT)
@example(sc=TROIS)
def test_recuperation_simultanee(student: Any, sc: Scenario) -> None:
    appel, ex = _lancer_producteur(student, sc)
    recuperations = _recuperations(ex)
    for url in sc.urls:
        appels = [debut for u, debut, _ in recuperations if u == url]
        assert len(appels) == 1, (
            f"{appel} a appelé recuperer({url!r}) {len(appels)} fois ; attendu une seule fois "
            "par adresse"
        )
        assert abs(appels[0] - ex.t0) < TOLERANCE, (
            f"{appel} : la récupération de {url} a commencé à {fmt_t(appels[0] - ex.t0)} ; "
            f"attendu à {fmt_t(0)}, en même temps que toutes les autres (une tâche par "
            f"adresse, lancée avant d'attendre quoi que ce soit){blocking_note(ex)}"
        )
    par_url: dict[str, float] = {}
    for put in ex.queues[0]:
        item = put.item
        if item is None:
            continue
        assert isinstance(item, tuple) and len(item) == 2, (
            f"{appel} a déposé {show(item)} dans la file ; attendu un couple (url, donnees)"
        )
        url, donnees = item
        assert (
            isinstance(url, str)
            and url in sc.delais
            and isinstance(donnees, (list, tuple))
            and list(donnees) == _donnees(url)
        ), (
            f"{appel} a déposé {show(item)} dans la file ; attendu un couple (url, donnees) "
            "avec une adresse reçue et les données que recuperer a renvoyées pour elle"
        )
        par_url.setdefault(url, put.t - ex.t0)
    for url in sorted(sc.urls, key=sc.delais.__getitem__):
        assert url in par_url, (
            f"{appel} n'a jamais déposé le couple ({url!r}, {_donnees(url)}) dans la file ; "
            "attendu un dépôt par adresse, dès la fin de sa récupération"
        )
        t, attendu = par_url[url], sc.delais[url]
        assert abs(t - attendu) < TOLERANCE, (
            f"{appel} : les données de {url} ont été déposées dans la file à {fmt_t(t)} ; "
            f"attendu à {fmt_t(attendu)}, dès la fin de sa récupération, sans attendre les "
            f"autres adresses ({sc.decrire()}){blocking_note(ex)}"
        )


@given(sc=scenarios())
@example(sc=PAR_DEFAUT)
@example(sc=TROIS)
@example(sc=_scenario({"https://capteurs.test/releves/3": 0.4}, 0.5, 5))
def test_tous_les_consommateurs_s_arretent(student: Any, sc: Scenario) -> None:
    appel, ex = _lancer_pipeline(student, sc)
    assert not ex.pending, (
        f"{appel} a rendu la main alors que {len(ex.pending)} tâche(s) n'étaient pas "
        f"terminées : {' ; '.join(ex.pending)}. Attendu : chacun des {sc.k} consommateurs "
        "s'arrête de lui-même, et pipeline attend qu'ils aient tous fini avant de rendre la main"
    )
    # No task left proves nothing if no task was started (`return {}, 0.0` would
    # pass): the producer must have fetched every address before pipeline returned.
    # The consumers themselves cannot be watched here (a spy on consommateur
    # records its queue argument, which the protocol cannot send back yet).
    fin = ex.t0 + ex.elapsed
    recuperations = _recuperations(ex)
    assert recuperations, (
        f"{appel} a renvoyé {show(ex.value)} à {fmt_t(ex.elapsed)} sans avoir rien lancé "
        "(recuperer n'a jamais été appelée) ; attendu : le producteur et les "
        f"{sc.k} consommateurs tournent ensemble sur la file, chaque consommateur s'arrête "
        "sur sa sentinelle, et pipeline attend qu'ils aient tous fini"
    )
    finies = {
        u
        for u, _, fin_u in recuperations
        if isinstance(u, str) and fin_u is not None and fin_u <= fin + TOLERANCE
    }
    for url in sc.urls:
        assert url in finies, (
            f"{appel} a rendu la main à {fmt_t(ex.elapsed)} sans que {url} ait été récupérée "
            f"(aucun appel recuperer({url!r}) terminé avant) ; attendu : le producteur "
            "récupère chaque adresse et dépose son lot avant les sentinelles, et pipeline "
            "attend la fin du producteur et de tous les consommateurs"
        )


@pytest.mark.timeline
@given(sc=scenarios())
@example(sc=PAR_DEFAUT)
@example(sc=TROIS)
def test_duree_totale_optimale(student: Any, sc: Scenario) -> None:
    appel, ex = _lancer_pipeline(student, sc)
    attendu = total_attendu(sc)
    if abs(ex.elapsed - attendu) >= TOLERANCE:
        tout_a_la_fin = planning([max(sc.delais.values())] * len(sc.urls), sc.analyse, sc.k)[1]
        cumuls = [sum(sc.delais[u] for u in sc.urls[: i + 1]) for i in range(len(sc.urls))]
        l_une_apres_l_autre = planning(cumuls, sc.analyse, sc.k)[1]
        if len(sc.urls) > 1 and abs(ex.elapsed - l_une_apres_l_autre) < TOLERANCE:
            cause = " : c'est la durée quand les récupérations se font l'une après l'autre"
        elif sc.k > 1 and abs(ex.elapsed - total_attendu(sc, 1)) < TOLERANCE:
            cause = " : c'est la durée avec un seul consommateur, les autres n'ont pas travaillé"
        elif abs(ex.elapsed - tout_a_la_fin) < TOLERANCE:
            cause = (
                " : c'est la durée quand les analyses attendent que toutes les récupérations "
                "soient finies"
            )
        else:
            cause = ""
        raise AssertionError(
            f"{appel} s'est terminé à {fmt_t(ex.elapsed)}{cause} ; attendu à "
            f"{fmt_t(attendu)}, la fin de la dernière analyse quand chaque lot part dans la "
            "file dès sa récupération et qu'un consommateur libre le prend aussitôt "
            f"({sc.decrire()} ; {sc.k} consommateur(s)){blocking_note(ex)}"
        )
    _, elapsed = _resultat_pipeline(ex, appel)
    assert abs(elapsed - attendu) < TOLERANCE, (
        f"{appel} a duré {ex.elapsed:.2f} s mais a renvoyé un temps total de {elapsed:.2f} s ; "
        f"attendu {attendu:.2f} s, le temps mesuré avec time.perf_counter() entre le début et "
        "la fin du pipeline"
    )


@pytest.mark.timeline
@given(sc=scenarios())
@example(sc=PAR_DEFAUT)
@example(sc=TROIS)
def test_analyse_des_le_premier(student: Any, sc: Scenario) -> None:
    appel, ex = _lancer_pipeline(student, sc)
    analyses = _analyses(ex, sc)
    premier = min(sc.urls, key=sc.delais.__getitem__)
    assert analyses, (
        f"{appel} n'a jamais appelé analyser ; attendu une analyse dès l'arrivée du premier "
        f"lot, celui de {premier} à {fmt_t(sc.delais[premier])}"
    )
    debut = min(t for _, t, _ in analyses) - ex.t0
    assert abs(debut - sc.delais[premier]) < TOLERANCE, (
        f"{appel} : la première analyse a commencé à {fmt_t(debut)} ; attendu à "
        f"{fmt_t(sc.delais[premier])}, dès l'arrivée du premier lot ({premier}) : les "
        "consommateurs travaillent pendant que le producteur attend les autres adresses "
        f"({sc.decrire()}){blocking_note(ex)}"
    )


@pytest.mark.timeline
@given(sc=scenarios(min_urls=2))
@example(sc=PAR_DEFAUT)
@example(sc=TROIS)
def test_deux_consommateurs_plus_rapides(student: Any, sc: Scenario) -> None:
    appel = "comparer(urls)"
    fn = require(student, "comparer", coroutine=True)
    ex = _executer(appel, fn, sc.urls, fakes=_fakes(student, sc))
    autres = sorted(
        {u if isinstance(u, str) else show(u) for u, _, _ in _recuperations(ex)} - set(sc.delais)
    )
    assert not autres, (
        f"{appel} a récupéré {', '.join(autres)} ; attendu seulement les adresses reçues en "
        f"argument ({', '.join(sc.urls)})"
    )
    valeur = ex.value
    assert (
        isinstance(valeur, tuple)
        and len(valeur) == 2
        and all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in valeur)
    ), f"{appel} a renvoyé {show(valeur)} ; attendu un couple de durées (t1, t2) en secondes"
    t1, t2 = valeur
    a1, a2 = total_attendu(sc, 1), total_attendu(sc, 2)
    assert abs(t1 - a1) < TOLERANCE and abs(t2 - a2) < TOLERANCE, (
        f"{appel} a renvoyé ({t1:.2f}, {t2:.2f}) ; attendu ({a1:.2f}, {a2:.2f}) : la durée "
        "du pipeline avec un consommateur, puis avec deux, lancés l'un après l'autre "
        f"({sc.decrire()})"
    )
    assert abs(ex.elapsed - (a1 + a2)) < TOLERANCE, (
        f"{appel} a duré {ex.elapsed:.2f} s ; attendu {a1 + a2:.2f} s : le pipeline à un "
        "consommateur, puis (une fois fini) celui à deux"
    )
    ligne = next((ln for ln in ex.lines if norm(ln.text).startswith("1 consommateur")), None)
    attendue = f"1 consommateur : {a1:.2f}s / 2 consommateurs : {a2:.2f}s"
    assert ligne is not None, f"{appel} n'a pas affiché la ligne « {attendue} »"
    lu = COMPARAISON.match(norm(ligne.text))
    assert lu is not None and all(
        abs(float(x) - a) < 0.01 + TOLERANCE for x, a in zip(lu.groups(), (a1, a2), strict=True)
    ), (
        f"{appel} : la ligne de comparaison n'est pas celle attendue"
        f"{line_diff(norm(ligne.text), attendue)}"
    )


@given(sc=scenarios())
@example(sc=PAR_DEFAUT)
@example(sc=TROIS)
def test_affichage_des_analyses(student: Any, sc: Scenario) -> None:
    appel, ex = _lancer_pipeline(student, sc)
    analyses = _analyses(ex, sc)
    lignes: dict[str, list[tuple[float, str]]] = {}
    for ln in ex.lines:
        lu = LIGNE_ANALYSE.match(norm(ln.text))
        if lu is not None:
            lignes.setdefault(lu.group(2), []).append((ln.t, ln.text.strip()))
    for url in sc.urls:
        vues = lignes.get(url, [])
        assert len(vues) == 1, (
            f"{appel} a affiché {len(vues)} ligne(s) « … a analysé {url} » ; attendu une "
            "seule, « {nom} a analysé {url} » avec le nom du consommateur qui l'a analysée"
        )
        t, texte = vues[0]
        fins = [fin for u, _, fin in analyses if u == url and fin is not None]
        # A line with no analysis behind it says nothing true: the time of the
        # line is checked against an analysis that really ended.
        assert fins, (
            f"{appel} a affiché « {texte} » à {fmt_t(t)}, mais les données de {url} n'ont "
            f"jamais été analysées (aucun appel analyser({_donnees(url)}) terminé) ; attendu "
            "la ligne au moment où son analyse se termine, après "
            "« resultats[url] = await analyser(donnees) »"
        )
        fin = fins[0] - ex.t0
        assert abs(t - fin) < TOLERANCE, (
            f"{appel} : « {texte} » affiché à {fmt_t(t)} ; attendu à {fmt_t(fin)}, au moment "
            "où son analyse se termine"
        )
    ligne = ex.first("Temps total")
    assert ligne is not None, f"{appel} n'a pas affiché la ligne « Temps total : …s »"
    lu = TEMPS_TOTAL.match(norm(ligne.text))
    attendue = f"Temps total : {ex.elapsed:.2f}s"
    assert lu is not None and abs(float(lu.group(1)) - ex.elapsed) < 0.01 + TOLERANCE, (
        f"{appel} a affiché « {ligne.text.strip()} » ; attendu « {attendue} », le temps "
        "écoulé avec deux chiffres après la virgule"
    )
    assert abs(ligne.t - ex.elapsed) < TOLERANCE, (
        f"{appel} a affiché « {ligne.text.strip()} » à {fmt_t(ligne.t)} ; attendu à la fin, "
        f"{fmt_t(ex.elapsed)}, une fois toutes les analyses terminées"
    )
