"""Hidden tests of ex10_pieges: blocking calls off the loop, the log awaited, requests together.

The two blocking functions are replaced by stand-ins of the grader's (`Fake`,
synchronous: they block with `time.sleep`, as the given ones do), with
generated users, profiles, delays and scores the student cannot guess;
`journaliser` is the module's own, spied, with a generated delay. On the
virtual clock a `time.sleep` on the event loop's thread is recorded (and
holds every task up), while one in a worker thread only parks that thread:
so each blocking call is seen to run on the loop or off it. Read delays are
distinct tenths of a second: which read ends first is never ambiguous.
"""

from __future__ import annotations

import string
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
    fmt_t,
    line_diff,
    norm,
    require,
    run,
    show,
)

# Helpers shared with the public tests, which always ship alongside these.
from grader.suites.public.test_ex10_pieges import _ligne, _verifier_hors_boucle

LIRE = "lire_profil_bloquant"
CALCULER = "calculer_score"
JOURNAL = "journaliser"


@dataclass(frozen=True)
class Requete:
    """One user's request as the stand-ins answer it."""

    uid: int
    lecture: float  # how long the read blocks
    profil: dict[str, Any]
    calcul: float  # how long the computation holds its thread
    score: int

    @property
    def message(self) -> str:
        return f"requête {self.uid} : score {self.score}"

    @property
    def duree(self) -> float:
        return self.lecture + self.calcul


@dataclass(frozen=True)
class Service:
    requetes: tuple[Requete, ...]
    journal: float  # DELAI_JOURNAL

    @property
    def ids(self) -> list[int]:
        return [r.uid for r in self.requetes]

    def fakes(self) -> tuple[Any, ...]:
        lire = Fake(
            LIRE,
            asynchronous=False,
            rows={r.uid: (r.lecture, r.profil) for r in self.requetes},
        )
        calculer = Fake(
            CALCULER,
            asynchronous=False,
            rows=[(r.profil, r.calcul, r.score) for r in self.requetes],
        )
        return lire, calculer

    def decrit(self) -> str:
        return " ; ".join(
            f"{r.uid} (lecture {r.lecture:.1f} s, calcul {r.calcul:.1f} s)" for r in self.requetes
        )


NOMS = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6)


@st.composite
def services(draw: st.DrawFn, *, min_size: int = 1, max_size: int = 5) -> Service:
    """1 to 5 requests (the default thread pool runs five at once on any machine): distinct
    ids, distinct read delays from 0.1 s to 3.0 s, computations from 0.1 s to 2.0 s,
    distinct scores, and a log delay of 0.1 to 0.3 s."""
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    ids = draw(st.lists(st.integers(1, 999), min_size=n, max_size=n, unique=True))
    lectures = draw(st.lists(st.integers(1, 30), min_size=n, max_size=n, unique=True))
    calculs = draw(st.lists(st.integers(1, 20), min_size=n, max_size=n))
    scores = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n, unique=True))
    requetes = []
    for uid, lecture, calcul, score in zip(ids, lectures, calculs, scores, strict=True):
        notes = draw(st.lists(st.integers(0, 20), min_size=1, max_size=4))
        profil = {"id": uid, "nom": draw(NOMS), "notes": notes}
        requetes.append(Requete(uid, lecture / 10, profil, calcul / 10, score))
    journal = draw(st.sampled_from([0.1, 0.2, 0.3]))
    return Service(tuple(requetes), journal)


def _service(journal: float, *rows: tuple[int, float, float, int]) -> Service:
    return Service(
        tuple(
            Requete(uid, lecture, {"id": uid, "nom": f"u{uid}", "notes": [uid % 7, 3]}, calcul, s)
            for uid, lecture, calcul, s in rows
        ),
        journal,
    )


# The computations overlap (each read ends while another request computes), and the
# request listed first ends last: checked before any generated case.
CHEVAUCHES = _service(
    0.1, (7, 1.4, 0.8, 910), (3, 0.3, 1.0, 25), (12, 0.6, 0.9, 4802), (5, 0.9, 0.7, 77)
)
UNE_SEULE = _service(0.2, (42, 0.5, 0.4, 1764))


def _lancer(student: Any, fonction: str, arg: Any, service: Service) -> Execution:
    fn = require(student, fonction, coroutine=True)
    return run(
        fn,
        arg,
        spies=(JOURNAL,),
        fakes=service.fakes(),
        patch={"DELAI_JOURNAL": service.journal},
    )


def _traiter(student: Any, service: Service) -> tuple[Requete, str, Execution]:
    """The run of traiter_requete on the service's one request, and the call as written."""
    requete = service.requetes[0]
    appel = f"traiter_requete({requete.uid})"
    return requete, appel, _lancer(student, "traiter_requete", requete.uid, service)


def _servir(student: Any, service: Service) -> tuple[str, Execution]:
    """The call of servir on the service's ids, as written, and its run."""
    appel = f"servir({service.ids})"
    return appel, _lancer(student, "servir", service.ids, service)


def _premiers_arguments(appels: list[Recorded], cle: str) -> list[Any]:
    """What each call received first: its first positional argument, or else `cle` by name."""
    return [c.args[0] if c.args else c.kwargs.get(cle) for c in appels]


def _arguments(ex: Execution, appel: str, nom: str, cle: str, attendu: str) -> list[Any]:
    """What each call of `nom` received (see `_premiers_arguments`); no call at all fails,
    `attendu` saying what should have been done."""
    appels = ex.calls_of(nom)
    assert appels, f"{appel} n'a jamais exécuté {nom} ; attendu : {attendu}"
    return _premiers_arguments(appels, cle)


def _une_note(ex: Execution) -> str:
    """The run's first blocking call and which function made it, for a failed timing test."""
    for nom in (LIRE, CALCULER):
        bloque = ex.blocked_by(nom)
        if bloque:
            return (
                f". Attention : {nom} a bloqué l'event loop pendant {bloque[0].duration:.2f} s "
                f"(à {fmt_t(bloque[0].at - ex.t0)}) : pendant ce temps aucune autre requête "
                "n'avance (voir « Les pièges classiques »)"
            )
    return ""


def _verifier_lecture(ex: Execution, appel: str, requete: Requete) -> None:
    lectures = ex.calls_of(LIRE)
    recus = _premiers_arguments(lectures, "user_id")
    assert recus == [requete.uid], (
        f"{appel} a appelé {LIRE} {len(lectures)} fois"
        f"{' (avec ' + ', '.join(show(r) for r in recus) + ')' if recus else ''} ; attendu une "
        f"fois, avec l'identifiant reçu, {requete.uid}"
    )


# -- tests --------------------------------------------------------------------------------


@given(service=services(max_size=1))
@example(service=UNE_SEULE)
def test_lecture_dans_un_thread(student: Any, service: Service) -> None:
    requete, appel, ex = _traiter(student, service)
    _verifier_lecture(ex, appel, requete)
    _verifier_hors_boucle(ex, appel, LIRE)


@given(service=services(max_size=1))
@example(service=UNE_SEULE)
def test_calcul_dans_un_executeur(student: Any, service: Service) -> None:
    requete, appel, ex = _traiter(student, service)
    recus = _arguments(
        ex,
        appel,
        CALCULER,
        "profil",
        "un appel, avec le profil lu. asyncio.to_thread(...) sans await ne lance rien : il "
        "renvoie un objet coroutine au lieu du score (voir « Les pièges classiques »)",
    )
    assert recus == [requete.profil], (
        f"{appel} a appelé {CALCULER} avec {', '.join(show(r) for r in recus)} ; attendu une "
        f"fois, avec le profil que {LIRE} a renvoyé, {requete.profil!r}. Sans await, "
        "asyncio.to_thread(...) donne un objet coroutine, pas le profil"
    )
    _verifier_hors_boucle(ex, appel, CALCULER)
    assert ex.value == requete.score, (
        f"{appel} a renvoyé {show(ex.value)} ; attendu {requete.score}, le score que "
        f"{CALCULER} a renvoyé. Sans await, to_thread et run_in_executor rendent un objet à "
        "attendre (coroutine ou Future) au lieu du résultat"
    )


@given(service=services(max_size=1))
@example(service=UNE_SEULE)
def test_journal_attendu(student: Any, service: Service) -> None:
    requete, appel, ex = _traiter(student, service)
    messages = _arguments(
        ex,
        appel,
        JOURNAL,
        "message",
        f"« {requete.message} » écrit au journal. Appelée sans await, une coroutine n'est "
        "qu'un objet qui ne s'exécute pas (Python prévient seulement « was never awaited ») "
        "(voir « Les pièges classiques »)",
    )
    assert messages == [requete.message], (
        f"{appel} a appelé {JOURNAL} avec {', '.join(show(m) for m in messages)} ; attendu une "
        f"fois, avec « {requete.message} », le score obtenu de {CALCULER}"
        f"{line_diff(str(messages[0]), requete.message) if len(messages) == 1 else ''}"
    )
    fin = requete.duree + service.journal
    ligne = f"[journal] {requete.message}"
    t = _ligne(ex, ligne)
    assert t is not None and not ex.pending and abs(ex.elapsed - fin) < TOLERANCE, (
        f"{appel} a rendu la main à {fmt_t(ex.elapsed)}"
        + (f" en laissant une tâche en cours : {ex.pending[0]}" if ex.pending else "")
        + (
            f", sa ligne au journal écrite à {fmt_t(t)}"
            if t is not None
            else ", sans ligne au journal"
        )
        + f" ; attendu : « {ligne} » écrite, puis rendre la main à {fmt_t(fin)} (lecture "
        f"{requete.lecture:.1f} s, calcul {requete.calcul:.1f} s, journal "
        f"{service.journal:.1f} s). "
        "Une tâche lancée sans être attendue n'a pas fini quand la fonction rend la main "
        "(voir « Les outils principaux »)"
    )


@given(service=services(min_size=0))
@example(service=CHEVAUCHES)
def test_resultats_dans_l_ordre(student: Any, service: Service) -> None:
    appel, ex = _servir(student, service)
    attendu = [r.score for r in service.requetes]
    valeur = ex.value
    obtenu = list(valeur) if isinstance(valeur, (list, tuple)) else valeur
    if obtenu != attendu:
        pourquoi = ""
        if isinstance(obtenu, list) and sorted(obtenu, key=repr) == sorted(attendu, key=repr):
            pourquoi = (
                " : les bons scores, mais dans l'ordre où les requêtes ont fini ; asyncio.gather "
                "les rend dans l'ordre donné"
            )
        raise AssertionError(
            f"{appel} a renvoyé {show(valeur)}{pourquoi} ; attendu {attendu}, le score de chaque "
            f"requête ({CALCULER} sur le profil lu), dans l'ordre des identifiants reçus"
        )
    lus = sorted(repr(c.args[0]) if c.args else "?" for c in ex.calls_of(LIRE))
    assert lus == sorted(repr(u) for u in service.ids), (
        f"{appel} a appelé {LIRE} {len(lus)} fois ; attendu une fois pour chacun des "
        f"{len(service.ids)} identifiants"
    )


@pytest.mark.timeline
@given(service=services(min_size=2))
@example(service=CHEVAUCHES)
def test_requetes_en_meme_temps(student: Any, service: Service) -> None:
    appel, ex = _servir(student, service)
    departs = sorted(round(c.start - ex.t0, 6) for c in ex.calls_of(LIRE))
    assert departs and departs[-1] < TOLERANCE, (
        f"{appel} a lancé les lectures à {', '.join(fmt_t(d) for d in departs) or 'jamais'} ; "
        f"attendu : toutes à {fmt_t(0)}, les requêtes partent ensemble ({service.decrit()})"
        f"{_une_note(ex)}"
    )
    for r in service.requetes:
        quand = r.duree + service.journal
        ligne = f"[journal] {r.message}"
        t = _ligne(ex, ligne)
        assert t is not None and abs(t - quand) < TOLERANCE, (
            (
                f"{appel} a écrit « {ligne} » à {fmt_t(t)}"
                if t is not None
                else f"{appel} n'a jamais écrit « {ligne} »"
            )
            + f" ; attendu à {fmt_t(quand)} : sa lecture ({r.lecture:.1f} s), son calcul "
            f"({r.calcul:.1f} s) puis son journal ({service.journal:.1f} s), sans attendre les "
            f"autres requêtes ({service.decrit()}){_une_note(ex)}"
        )
    fin = max(r.duree for r in service.requetes) + 2 * service.journal
    somme = sum(r.duree + service.journal for r in service.requetes) + service.journal
    cause = ""
    if abs(ex.elapsed - somme) < TOLERANCE:
        cause = " : c'est la somme des requêtes, servies l'une après l'autre"
    assert abs(ex.elapsed - fin) < TOLERANCE, (
        f"{appel} s'est terminé à {fmt_t(ex.elapsed)}{cause} ; attendu à {fmt_t(fin)}, la "
        f"requête la plus longue puis le résumé ({service.journal:.1f} s){_une_note(ex)}"
    )


@given(service=services(min_size=0))
@example(service=CHEVAUCHES)
@example(service=Service((), 0.1))
def test_resume_et_rien_ne_reste(student: Any, service: Service) -> None:
    appel, ex = _servir(student, service)
    assert not ex.pending, (
        f"{appel} a rendu la main à {fmt_t(ex.elapsed)} alors que {len(ex.pending)} tâche(s) "
        f"tournaient encore : {' ; '.join(ex.pending)}. Attendu : aucune ; une tâche créée et "
        "jamais attendue est annulée à la fermeture de la boucle, et son travail est perdu "
        "(voir « Les outils principaux »)"
    )
    resume = f"[journal] requêtes servies : {len(service.ids)}"
    textes = [norm(t) for t in ex.texts]
    assert resume in textes, (
        f"{appel} a affiché {' puis '.join(f'« {t} »' for t in textes) or 'rien'} ; attendu, "
        f"après les requêtes, « {resume} », écrit par journaliser une fois toutes les requêtes "
        "finies"
    )
    assert textes[-1] == resume and textes.count(resume) == 1, (
        f"{appel} a écrit « {resume} » avant « {textes[-1]} » ; attendu : le résumé une seule "
        "fois, une fois toutes les requêtes servies, en dernier"
    )
    t = _ligne(ex, resume)
    assert t is not None and abs(t - ex.elapsed) < TOLERANCE, (
        f"{appel} a écrit « {resume} » à {fmt_t(t or 0)} et rendu la main à "
        f"{fmt_t(ex.elapsed)} ; attendu : le résumé attendu jusqu'au bout, juste avant de "
        "rendre la main"
    )
