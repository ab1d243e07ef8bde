"""Hidden tests of ex5_moniteur: concurrency, timeouts, failures, report, exit code.

Every property that holds for any input is checked on generated services
(names, delays, errors and timeouts the student cannot guess), so a program
tuned to SERVICES or to the statement's sample fails. Delays are distinct
tenths of a second and the timeout never equals a delay: the only results
that arrive together are the timeouts, all at `timeout`, and their order
among themselves is never judged.

Long because it is a list: one function per catalogue test, each with the
generator of its inputs and the French message of each way it can fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from grader.judge.harness import (
    TOLERANCE,
    Execution,
    Line,
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

# Shared with the public tests, which always ship alongside these.
from grader.suites.public.test_ex5_moniteur import _refus_d_argparse

Services = list[dict[str, Any]]

# Names unlike those of SERVICES, drawn from words (cheap to generate, unlike a regex).
_MOTS = [
    "annuaire",
    "paiement",
    "stockage",
    "recherche",
    "factures",
    "messagerie",
    "profil",
    "images",
    "journal",
    "agenda",
    "panier",
    "file",
]
_SUFFIXES = ["", " v2", " secours", " interne", " europe"]
NOMS = st.builds(
    lambda mot, suffixe: mot + suffixe, st.sampled_from(_MOTS), st.sampled_from(_SUFFIXES)
)
MESSAGES = st.sampled_from(
    ["connexion refusée", "hôte inconnu", "certificat expiré", "réponse invalide", "port fermé"]
)


@st.composite
def cas(draw: st.DrawFn, *, erreurs: bool, min_services: int = 1) -> tuple[Services, float]:
    """1 to 7 services with distinct delays from 0.1 s to 5.0 s, and a timeout equal to none."""
    n = draw(st.integers(min_value=min_services, max_value=7))
    noms = draw(st.lists(NOMS, min_size=n, max_size=n, unique=True))
    dixiemes = draw(
        st.lists(st.integers(min_value=1, max_value=50), min_size=n, max_size=n, unique=True)
    )
    # From 3 to 45 but the delays, drawn by its rank among those values (a
    # filter would make a new strategy, checked anew, every draw).
    permis = [t for t in range(3, 46) if t not in dixiemes]
    timeout = permis[draw(st.integers(min_value=0, max_value=len(permis) - 1))]
    services: Services = []
    for nom, d in zip(noms, dixiemes, strict=True):
        service: dict[str, Any] = {"nom": nom, "delai": d / 10}
        if erreurs and draw(st.booleans()):
            service["erreur"] = draw(MESSAGES)
        services.append(service)
    return services, timeout / 10


@st.composite
def cas_avec_erreur(draw: st.DrawFn) -> tuple[Services, float]:
    """Services whose first answer is a failure: every other check is still running then."""
    services, timeout = draw(cas(erreurs=True, min_services=2))
    premier = min(services, key=lambda s: s["delai"])
    assume(premier["delai"] < timeout)
    premier.setdefault("erreur", draw(MESSAGES))
    return services, timeout


@st.composite
def cas_avec_timeout(draw: st.DrawFn) -> tuple[Services, float]:
    """Services of which at least one does not answer in time."""
    services, timeout = draw(cas(erreurs=False))
    assume(any(s["delai"] > timeout for s in services))
    return services, timeout


# Launched in an order that is neither the completion order nor its reverse, with
# two timeouts, two failures (one of them too late to be seen) and names that are
# not those of SERVICES: checked before any generated case.
MELANGE: Services = [
    {"nom": "annuaire", "delai": 1.4},
    {"nom": "file de messages", "delai": 0.2, "erreur": "connexion refusée"},
    {"nom": "stockage", "delai": 3.1},
    {"nom": "paiement", "delai": 0.6},
    {"nom": "recherche", "delai": 2.2, "erreur": "hôte inconnu"},
    {"nom": "authentification", "delai": 0.9, "erreur": "certificat expiré"},
]
MELANGE_TIMEOUT = 1.7

# The given services with another timeout: two of them time out together.
DEFAUT: Services = [
    {"nom": "base de données", "delai": 0.3},
    {"nom": "cache Redis", "delai": 0.1},
    {"nom": "API externe", "delai": 2.5},
    {"nom": "serveur mail", "delai": 1.2},
    {"nom": "CDN", "delai": 0.8},
]
# With a timeout whose wrong formatting shows, an integer (`{timeout}` prints `2`,
# not `2.0`) or hundredths (`1.25` is shown `1.2`): one service on time, one late.
FORMATS: Services = [{"nom": "rapide", "delai": 0.5}, {"nom": "lent", "delai": 3.0}]
SANS_ERREUR: Services = [{k: v for k, v in s.items() if k != "erreur"} for s in MELANGE]


@dataclass(frozen=True)
class Attendu:
    """What one service's check must give, worked out from its delay and the timeout."""

    nom: str
    etat: str  # "en_ligne", "timeout" or "erreur"
    fin: float  # when its result arrives
    ligne: str  # its line, white space normalised

    @property
    def en_ligne(self) -> bool:
        return self.etat == "en_ligne"


def _attendus(services: Services, timeout: float) -> list[Attendu]:
    """Each service's expected result, in the order the results arrive."""
    attendus = []
    for s in services:
        nom, delai = s["nom"], s["delai"]
        if delai > timeout:
            attendus.append(
                Attendu(
                    nom, "timeout", timeout, f"[HORS LIGNE] {nom} (timeout après {timeout:.1f}s)"
                )
            )
        elif "erreur" in s:
            attendus.append(
                Attendu(nom, "erreur", delai, f"[HORS LIGNE] {nom} (erreur : {s['erreur']})")
            )
        else:
            attendus.append(Attendu(nom, "en_ligne", delai, f"[EN LIGNE] {nom} ({delai:.2f}s)"))
    return sorted(attendus, key=lambda a: a.fin)


def _pourquoi(a: Attendu, services: Services, timeout: float) -> str:
    service = next(s for s in services if s["nom"] == a.nom)
    delai = service["delai"]
    if a.etat == "timeout":
        return (
            f"le service met {delai:.1f} s à répondre, plus que le timeout de {timeout:.1f} s "
            "reçu en argument : asyncio.wait_for abandonne la vérification au bout du timeout"
        )
    if a.etat == "erreur":
        return (
            f"au bout de {delai:.1f} s, avant le timeout, verifier lève "
            f"ConnectionError({service['erreur']!r}) ; le message affiché est str(exception)"
        )
    return (
        f"le service répond en {delai:.1f} s, avant le timeout de {timeout:.1f} s ; la durée "
        "affichée est celle que renvoie verifier"
    )


# -- helpers ----------------------------------------------------------------------------


def _appel(services: Services, timeout: float) -> str:
    return f"surveiller({services!r}, timeout={timeout})"


# The builtin ConnectionError family, by class name: the executor reports the class of what
# was raised (dotted when it is not a builtin), no longer the exception object itself.
_CONNEXION = frozenset(
    {
        "ConnectionError",
        "BrokenPipeError",
        "ConnectionAbortedError",
        "ConnectionRefusedError",
        "ConnectionResetError",
    }
)


def _arret(appel: str, exc: StudentError) -> AssertionError | None:
    """A clearer word when one check's exception stopped the whole monitor."""
    erreur = exc.error
    if erreur is None or erreur.kind != "exception":
        return None
    ou = f" ({exc.where})" if exc.where else ""
    # asyncio.TimeoutError is the builtin TimeoutError since Python 3.11.
    if erreur.type == "TimeoutError":
        return AssertionError(
            f"{appel} s'est arrêtée sur le TimeoutError d'une vérification trop lente{ou} ; "
            "attendu que le service en retard soit seulement affiché « [HORS LIGNE] … "
            "(timeout après …s) » et que la surveillance continue : rattrapez le "
            "TimeoutError de asyncio.wait_for dans la vérification de ce service"
        )
    if erreur.type in _CONNEXION:
        return AssertionError(
            f"{appel} s'est arrêtée : verifier a levé {erreur.type}({erreur.message!r}){ou} "
            "et personne ne l'a rattrapée ; "
            "attendu que le service en panne soit seulement affiché « [HORS LIGNE] … "
            "(erreur : …) » et que les autres vérifications continuent : une exception "
            "levée par verifier se rattrape avec try / except"
        )
    return None


def _lancer(
    student: StudentModule, services: Services, timeout: float, spies: tuple[str, ...] = ()
) -> Execution:
    surveiller = require(student, "surveiller", coroutine=True)
    appel = _appel(services, timeout)
    try:
        # The services travel to the executor as data: a program that changes the
        # dictionaries it receives cannot change the expectations.
        return run(surveiller, services, timeout, spies=spies)
    except StudentError as exc:
        arret = _arret(appel, exc)
        if arret is not None:
            raise arret from exc
        raise


def _surveiller(
    student: StudentModule, donnees: tuple[Services, float], spies: tuple[str, ...] = ()
) -> tuple[Services, float, str, Execution]:
    """A test's services and timeout, the call as the messages write it, and its run."""
    services, timeout = donnees
    return services, timeout, _appel(services, timeout), _lancer(student, services, timeout, spies)


def _lignes_de(ex: Execution, nom: str) -> list[Line]:
    """The result lines of `nom`: a status tag, then the name, then an opening bracket."""
    debuts = (f"[EN LIGNE] {nom} (", f"[HORS LIGNE] {nom} (")
    return [ln for ln in ex.lines if norm(ln.text).startswith(debuts)]


def _apercu(ex: Execution) -> str:
    textes = [f"« {norm(t)} »" for t in ex.texts if t.strip()]
    if not textes:
        return "Rien n'a été affiché."
    suite = " …" if len(textes) > 8 else ""
    return "Lignes affichées : " + ", ".join(textes[:8]) + suite


def _ligne_unique(ex: Execution, appel: str, a: Attendu) -> Line:
    lignes = _lignes_de(ex, a.nom)
    assert lignes, (
        f"{appel} n'a affiché aucune ligne pour « {a.nom} » ; attendu « {a.ligne} ». {_apercu(ex)}"
    )
    assert len(lignes) == 1, (
        f"{appel} a affiché {len(lignes)} lignes pour « {a.nom} » "
        f"({', '.join('« ' + norm(ln.text) + ' »' for ln in lignes)}) ; attendu une seule, "
        f"« {a.ligne} »"
    )
    return lignes[0]


def _ecart(t: float, a: Attendu) -> str:
    """Why a line came at `t` instead of `a.fin`: too late or too soon."""
    if t > a.fin:
        return ", pas une fois d'autres résultats arrivés"
    return " : la ligne est arrivée avant la fin de la vérification"


def _moment(a: Attendu) -> str:
    if a.etat == "timeout":
        return "au moment du timeout, quand asyncio.wait_for abandonne la vérification"
    if a.etat == "erreur":
        return "dès que verifier lève son erreur"
    return "dès que verifier a répondu"


def _dictionnaire(ex: Execution, appel: str) -> dict[str, Any]:
    valeur = ex.value
    forme = '{"en_ligne": [...], "hors_ligne": [...], "duree": total}'
    assert isinstance(valeur, dict), (
        f"{appel} a renvoyé {show(valeur)} ; attendu un dictionnaire {forme}"
    )
    for cle in ("en_ligne", "hors_ligne", "duree"):
        assert cle in valeur, (
            f"{appel} a renvoyé un dictionnaire sans la clé {cle!r} ({show(valeur)}) ; "
            f"attendu {forme}"
        )
    for cle in ("en_ligne", "hors_ligne"):
        assert isinstance(valeur[cle], list), (
            f"{appel} a renvoyé {show(valeur[cle])} pour {cle!r} ; attendu une liste de noms "
            "de services"
        )
    return valeur


BILAN = re.compile(r"^Bilan : (\d+) en ligne / (\d+) hors ligne — durée totale (\d+(?:\.\d+)?)s$")


def _bilan(ex: Execution, appel: str, n: int, m: int) -> tuple[Line, re.Match[str]]:
    modele = f"Bilan : {n} en ligne / {m} hors ligne — durée totale …s"
    ligne = ex.first("Bilan")
    assert ligne is not None, f"{appel} n'a pas affiché la ligne « {modele} ». {_apercu(ex)}"
    lu = BILAN.match(norm(ligne.text))
    assert lu is not None, (
        f"{appel} a affiché « {norm(ligne.text)} » ; attendu une ligne de la forme « {modele} »"
    )
    return ligne, lu


# -- tests --------------------------------------------------------------------------------


@pytest.mark.timeline(schedule="ensemble")
@given(donnees=cas(erreurs=False))
@example(donnees=(SANS_ERREUR, MELANGE_TIMEOUT))
def test_demarrage_simultane(student: StudentModule, donnees: tuple[Services, float]) -> None:
    # The given verifier, spied on for this call only: each call's start is recorded.
    services, _, appel, ex = _surveiller(student, donnees, spies=("verifier",))
    debuts: dict[str, list[float]] = {}
    autres: list[str] = []  # calls whose argument is not a service of the list
    for verification in ex.calls_of("verifier"):
        if verification.args:
            service = verification.args[0]
        else:
            service = verification.kwargs.get("service")
        if isinstance(service, dict) and "nom" in service:
            debuts.setdefault(str(service["nom"]), []).append(verification.start)
        else:
            autres.append(show(service, 80))

    for s in services:
        appels = debuts.get(s["nom"], [])
        recu = f" ; verifier a été appelée avec {', '.join(autres[:3])}" if autres else ""
        assert appels, (
            f"{appel} n'a pas appelé verifier pour « {s['nom']} » ; attendu un appel de "
            f"verifier(service) par service de la liste reçue{recu}"
        )
        assert len(appels) == 1, (
            f"{appel} a appelé {len(appels)} fois verifier pour « {s['nom']} » ; attendu "
            "une seule fois"
        )
    for s in sorted(services, key=lambda s: debuts[s["nom"]][0]):
        t = debuts[s["nom"]][0] - ex.t0
        assert abs(t) < TOLERANCE, (
            f"{appel} : la vérification de « {s['nom']} » a démarré à {fmt_t(t)} ; attendu à "
            f"{fmt_t(0)}, en même temps que toutes les autres (une tâche lancée par service "
            f"avant d'attendre le moindre résultat){blocking_note(ex)}"
        )


@pytest.mark.timeline
@given(donnees=cas(erreurs=False))
@example(donnees=(SANS_ERREUR, MELANGE_TIMEOUT))
@example(donnees=(DEFAUT, 1.0))
def test_affiche_au_moment_du_resultat(
    student: StudentModule, donnees: tuple[Services, float]
) -> None:
    services, timeout, appel, ex = _surveiller(student, donnees)
    for a in _attendus(services, timeout):
        ligne = _ligne_unique(ex, appel, a)
        assert abs(ligne.t - a.fin) < TOLERANCE, (
            f"{appel} : « {norm(ligne.text)} » affiché à {fmt_t(ligne.t)} ; attendu à "
            f"{fmt_t(a.fin)}, {_moment(a)}{_ecart(ligne.t, a)}{blocking_note(ex)}"
        )


@given(donnees=cas(erreurs=True))
@example(donnees=(MELANGE, MELANGE_TIMEOUT))
@example(donnees=(FORMATS, 2))
@example(donnees=(FORMATS, 1.25))
def test_etats_distingues(student: StudentModule, donnees: tuple[Services, float]) -> None:
    services, timeout, appel, ex = _surveiller(student, donnees)
    for a in _attendus(services, timeout):
        texte = norm(_ligne_unique(ex, appel, a).text)
        assert texte == a.ligne, (
            f"{appel} : pour « {a.nom} », ligne affichée « {texte} » ; attendu « {a.ligne} » : "
            f"{_pourquoi(a, services, timeout)}"
        )


@given(donnees=cas_avec_erreur())
@example(donnees=(MELANGE, MELANGE_TIMEOUT))
def test_une_erreur_n_arrete_pas_les_autres(
    student: StudentModule, donnees: tuple[Services, float]
) -> None:
    services, timeout, appel, ex = _surveiller(student, donnees)
    attendus = _attendus(services, timeout)
    for a in attendus:
        lignes = _lignes_de(ex, a.nom)
        if a.etat == "erreur":
            assert lignes, (
                f"{appel} n'a affiché aucune ligne pour « {a.nom} », dont la vérification "
                f"échoue à {fmt_t(a.fin)} ; attendu « {a.ligne} ». {_apercu(ex)}"
            )
        else:
            assert lignes, (
                f"{appel} n'a affiché aucune ligne pour « {a.nom} » ; attendu « {a.ligne} » à "
                f"{fmt_t(a.fin)} : l'échec d'un autre service ne doit pas arrêter sa "
                f"vérification. {_apercu(ex)}"
            )
        autre = "" if a.etat == "erreur" else ", même quand une autre vérification a échoué"
        assert abs(lignes[0].t - a.fin) < TOLERANCE, (
            f"{appel} : « {norm(lignes[0].text)} » affiché à {fmt_t(lignes[0].t)} ; attendu "
            f"à {fmt_t(a.fin)}, {_moment(a)}{autre}{_ecart(lignes[0].t, a)}{blocking_note(ex)}"
        )
    valeur = _dictionnaire(ex, appel)
    for a in attendus:
        if a.etat == "erreur":
            assert a.nom in valeur["hors_ligne"] and a.nom not in valeur["en_ligne"], (
                f"{appel} a renvoyé {show(valeur)} ; « {a.nom} », dont la vérification a échoué, "
                "doit figurer dans la liste « hors_ligne » (et pas dans « en_ligne »)"
            )


@pytest.mark.timeline
@given(donnees=cas(erreurs=False))
@example(donnees=(SANS_ERREUR, MELANGE_TIMEOUT))
@example(donnees=(DEFAUT, 3.0))
def test_duree_totale(student: StudentModule, donnees: tuple[Services, float]) -> None:
    services, timeout, appel, ex = _surveiller(student, donnees)
    plus_long = max(s["delai"] for s in services)
    attendu = min(plus_long, timeout)
    if abs(ex.elapsed - attendu) >= TOLERANCE:
        somme = sum(a.fin for a in _attendus(services, timeout))
        if len(services) > 1 and abs(ex.elapsed - somme) < TOLERANCE:
            cause = (
                " : c'est la somme des durées des vérifications, faites l'une après l'autre "
                "au lieu d'en même temps"
            )
        elif abs(ex.elapsed - plus_long) < TOLERANCE:
            cause = (
                f" : le plus lent des services a été attendu au-delà du timeout de {timeout:.1f} s"
            )
        else:
            cause = ""
        raise AssertionError(
            f"{appel} s'est terminée à {fmt_t(ex.elapsed)}{cause} ; attendu à {fmt_t(attendu)}, "
            f"min(vérification la plus longue = {plus_long:.1f} s, timeout = {timeout:.1f} s)"
            f"{blocking_note(ex)}"
        )
    valeur = _dictionnaire(ex, appel)
    duree = valeur["duree"]
    assert isinstance(duree, (int, float)) and abs(duree - attendu) < TOLERANCE, (
        f'{appel} a duré {ex.elapsed:.2f} s mais a renvoyé "duree": {show(duree)} ; attendu '
        f"{attendu:.2f}, le temps mesuré avec time.perf_counter() entre le début et la fin "
        "de la surveillance"
    )
    _, lu = _bilan(
        ex,
        appel,
        sum(a.en_ligne for a in _attendus(services, timeout)),
        sum(not a.en_ligne for a in _attendus(services, timeout)),
    )
    affiche = float(lu.group(3))
    assert abs(affiche - attendu) < 0.01 + TOLERANCE, (
        f"{appel} a affiché « {lu.group(0)} » ; attendu une durée totale de {attendu:.2f}s, "
        "le temps mesuré avec time.perf_counter() entre le début et la fin de la surveillance"
    )


@given(donnees=cas(erreurs=True))
@example(donnees=(MELANGE, MELANGE_TIMEOUT))
def test_bilan_final(student: StudentModule, donnees: tuple[Services, float]) -> None:
    services, timeout, appel, ex = _surveiller(student, donnees)
    attendus = _attendus(services, timeout)
    n = sum(a.en_ligne for a in attendus)
    m = len(attendus) - n
    ligne, lu = _bilan(ex, appel, n, m)
    timeouts = sum(a.etat == "timeout" for a in attendus)
    detail = (
        f"{n} service(s) ont répondu à temps ; hors ligne : {timeouts} en timeout + "
        f"{m - timeouts} en erreur (un service en erreur est hors ligne lui aussi)"
    )
    assert (int(lu.group(1)), int(lu.group(2))) == (n, m), (
        f"{appel} a affiché « {lu.group(0)} » ; attendu « Bilan : {n} en ligne / {m} hors "
        f"ligne — durée totale …s » : {detail}"
    )
    dernier = [ln for ln in ex.lines if ln.text.strip()][-1]
    assert dernier is ligne, (
        f"{appel} a affiché « {norm(dernier.text)} » après le bilan ; attendu le bilan en "
        "dernier, une fois tous les résultats arrivés"
    )
    fin = max(a.fin for a in attendus)
    assert ligne.t >= fin - TOLERANCE, (
        f"{appel} a affiché le bilan à {fmt_t(ligne.t)} ; attendu à {fmt_t(fin)}, une fois "
        "tous les résultats arrivés"
    )


@given(donnees=cas(erreurs=False))
@example(donnees=(SANS_ERREUR, MELANGE_TIMEOUT))
@example(donnees=(DEFAUT, 1.0))
def test_dictionnaire_renvoye(student: StudentModule, donnees: tuple[Services, float]) -> None:
    services, timeout, appel, ex = _surveiller(student, donnees)
    valeur = _dictionnaire(ex, appel)
    attendus = _attendus(services, timeout)
    en_ligne = [a.nom for a in attendus if a.en_ligne]
    hors_ligne = [a.nom for a in attendus if not a.en_ligne]
    lance = [s["nom"] for s in services]

    def ordre(obtenu: list[Any], attendu: list[str]) -> str:
        if obtenu == [n for n in lance if n in attendu] and obtenu != attendu:
            return " ; c'est l'ordre de la liste reçue"
        if obtenu == sorted(attendu) and obtenu != attendu:
            return " ; c'est l'ordre alphabétique"
        return ""

    obtenu = valeur["en_ligne"]
    assert obtenu == en_ligne, (
        f'{appel} a renvoyé "en_ligne": {show(obtenu)}{ordre(obtenu, en_ligne)} ; '
        f"attendu {en_ligne!r}, les services qui ont répondu, dans l'ordre où leurs réponses "
        "sont arrivées"
    )
    # Every timeout ends at the same instant: any order among them is right.
    assert sorted(valeur["hors_ligne"]) == sorted(hors_ligne), (
        f'{appel} a renvoyé "hors_ligne": {show(valeur["hors_ligne"])} ; attendu les services '
        f"qui n'ont pas répondu avant le timeout de {timeout:.1f} s : {hors_ligne!r}"
    )


@given(donnees=cas(erreurs=False))
@example(donnees=(DEFAUT, 1.0))
@example(donnees=(DEFAUT, 2.6))
def test_option_timeout_et_code_de_sortie(
    student: StudentModule, donnees: tuple[Services, float]
) -> None:
    services, timeout = donnees
    main = require(student, "main", coroutine=False)
    argv = ["--timeout", str(timeout)]
    appel = f"main({argv!r}) avec SERVICES = {services!r}"
    try:
        # The patch replaces SERVICES in place, so main sees these services whether it
        # reads SERVICES or relies on surveiller's default argument (the same list object).
        ex = run(main, argv, patch={"SERVICES": services})
    except StudentError as exc:
        refus = _refus_d_argparse(appel, exc)
        if refus is not None:
            raise refus from exc
        arret = _arret(appel, exc)
        if arret is not None:
            raise arret from exc
        raise
    attendus = _attendus(services, timeout)
    hors_ligne = [a.nom for a in attendus if not a.en_ligne]
    for a in attendus:
        if a.etat == "timeout":
            texte = norm(_ligne_unique(ex, appel, a).text)
            assert texte == a.ligne, (
                f"{appel} : la ligne de {a.nom} n'est pas celle attendue, le timeout de chaque "
                f"vérification étant la valeur de l'option --timeout{line_diff(texte, a.ligne)}"
            )
    attendu = min(max(s["delai"] for s in services), timeout)
    assert abs(ex.elapsed - attendu) < TOLERANCE, (
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)} ; attendu à {fmt_t(attendu)} : la "
        "surveillance dure autant que la vérification la plus longue, limitée par le timeout "
        f"donné avec --timeout{blocking_note(ex)}"
    )
    code = 1 if hors_ligne else 0
    raison = (
        f"{len(hors_ligne)} service(s) hors ligne ({', '.join(hors_ligne)}), et le code vaut 1 "
        "dès qu'au moins un service est hors ligne"
        if hors_ligne
        else "tous les services sont en ligne"
    )
    assert ex.value == code and isinstance(ex.value, int), (
        f"{appel} a renvoyé {show(ex.value)} ; attendu le code de sortie {code} : {raison}"
    )


@given(donnees=cas_avec_timeout())
@example(donnees=(SANS_ERREUR, MELANGE_TIMEOUT))
def test_aucune_tache_restante(student: StudentModule, donnees: tuple[Services, float]) -> None:
    services, timeout, appel, ex = _surveiller(student, donnees)
    en_retard = [s["nom"] for s in services if s["delai"] > timeout]
    assert not ex.pending, (
        f"{appel} s'est terminée alors que des tâches tournaient encore : "
        f"{', '.join(ex.pending)} ; attendu aucune tâche restante. Les vérifications en "
        f"retard ({', '.join(en_retard)}) doivent être annulées au timeout : "
        "asyncio.wait_for annule lui-même la tâche qu'il abandonne"
    )
    # No task left is only worth something if the late checks were run and judged: a
    # monitor that checks nothing leaves no task either.
    valeur = _dictionnaire(ex, appel)
    oublies = [nom for nom in en_retard if nom not in valeur["hors_ligne"]]
    assert not oublies, (
        f"{appel} n'a laissé aucune tâche derrière elle, mais a renvoyé "
        f'"hors_ligne": {show(valeur["hors_ligne"])} ; attendu que les services en retard '
        f"({', '.join(en_retard)}) y figurent : leur vérification doit être lancée, puis "
        f"abandonnée au timeout de {timeout:.1f} s"
    )
