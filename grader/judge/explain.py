"""What the student's code raised, said in French to a beginner who must act on it.

The executor sends an `ErrorInfo` (its kind, classified there by class; the
type's name; the message; the student's line); here it becomes a
`StudentError` whose message names the call, the line and the fix to look
for, with Python's own English words kept under the French to search for.
"""

from __future__ import annotations

from typing import Any

from grader import protocol as p
from grader.judge.glosses import runtime_gloss, syntax_gloss
from grader.judge.verdicts import StudentError
from grader.results import Cause


def tampering_error(changed: list[str], during: str) -> StudentError:
    names = ", ".join(changed[:5]) + (" …" if len(changed) > 5 else "")
    return StudentError(
        f"{during} remplace des outils qu'il doit utiliser tels quels ({names}) : le code ne doit "
        "pas modifier asyncio, time ni le correcteur ; la correction se fait avec les originaux"
    )


def _short_type(error: p.ErrorInfo) -> str:
    return error.type.rsplit(".", 1)[-1]


def explain_error(call: str, error: p.ErrorInfo) -> StudentError:
    """Turn what the student's code raised into a message a beginner can act on."""
    where = error.where
    at = f" ({where})" if where else ""
    name = _short_type(error)
    if error.kind == "not_implemented":
        function = where.function if where else call.split("(")[0]
        text = f"{function} est encore à compléter : elle lève NotImplementedError{at}"
    elif error.kind == "os_exit":
        text = (
            f"{call} a appelé os._exit({error.code!r}){at} : cela tue le programme sur-le-champ ; "
            "une fonction doit renvoyer son résultat"
        )
    elif error.kind == "fork":
        text = (
            f"{call} a voulu créer un autre processus{at} (un ProcessPoolExecutor, "
            "multiprocessing ou os.fork) : le correcteur ne peut pas suivre sur son horloge "
            "virtuelle un calcul envoyé à un autre processus, et le refuse. Envoyez-le au pool "
            "de threads : loop.run_in_executor(None, …) ou asyncio.to_thread(…)"
        )
    elif error.kind == "system_exit":
        text = (
            f"{call} a appelé sys.exit({error.code!r}){at} : cela arrête tout le programme ; "
            "une fonction doit renvoyer son résultat"
        )
    elif error.kind == "keyboard_interrupt":
        text = (
            f"{call} a levé KeyboardInterrupt{at}, l'exception d'un Ctrl-C : une fonction ne doit "
            "pas la lever ; elle doit renvoyer son résultat"
        )
    elif error.kind == "test_tool":
        text = (
            f"{call} a levé {name}{at}, une exception des outils de test : le programme n'a pas "
            "à s'en servir, et elle ne vaut aucun point"
        )
    elif error.kind == "future_not_awaited":
        text = (
            f"{call} a utilisé sans await le résultat d'asyncio.gather(...) ou d'une tâche{at} : "
            "sans await, on obtient un objet Future au lieu des résultats, et Python répond "
            "« await wasn't used with future ». Écrivez « a, b, c = await asyncio.gather(...) » "
            "(voir « async et await », « Les pièges classiques »)"
        )
    elif error.kind == "bad_duration" and (refused := _duration_refused(error.code)):
        function, kind, shown = refused
        text = (
            f"{call} : {function} a reçu {shown}, de type {kind}, comme durée{at}, et a levé "
            f"{name} avant même d'attendre quoi que ce soit ; une durée est un nombre de "
            "secondes (int ou float). Une valeur lue par argparse reste une chaîne (str) sans "
            "« type=float » dans add_argument"
        )
    elif gloss := runtime_gloss(error.message):
        # The French first; Python's words under it, as they are, to search for.
        text = f"{call} a levé {name}{at} : {gloss}\n(Python : « {name}: {error.message} »)"
    else:
        shown = f"{name} : {error.message}" if error.message else name
        text = f"{call} a levé {shown}{at}"
    cause = Cause.UNWRITTEN if error.kind == "not_implemented" else Cause.OTHER
    return StudentError(text, where, error, cause)


def _duration_refused(code: Any) -> tuple[str, str, str] | None:
    # Sent by the executor: believed only in the shape it must have.
    if type(code) in (list, tuple) and len(code) == 3 and all(type(c) is str for c in code):
        return code[0][:40], code[1][:40], code[2][:60]
    return None


def import_error(module: str, error: p.ErrorInfo) -> StudentError:
    """Why the student's module could not be imported."""
    if error.kind == "syntax":
        where = f"{module}.py, ligne {error.where.line if error.where else '?'}"
        code = error.where.code if error.where else ""
        detail = f" : {code}" if code else ""
        gloss = syntax_gloss(error.message)
        said = f" ; {gloss}" if gloss else f" ({error.message})"
        python = f"\n(Python : « {error.message} »)" if gloss else ""
        return StudentError(
            f"erreur de syntaxe dans {where}{detail}{said} ; le module ne peut pas être "
            f"importé{python}",
            error.where,
            error,
            Cause.IMPORT,
        )
    if error.kind == "verdict":
        return StudentError(
            f"l'import de {module}.py ne se termine pas : {error.message}", cause=Cause.IMPORT
        )
    if error.kind == "unloadable":
        return StudentError(f"le fichier {module}.py ne peut pas être chargé", cause=Cause.IMPORT)
    explained = explain_error(f"l'import de {module}.py", error)
    return StudentError(
        explained.message + " ; le module ne peut pas être importé",
        error.where,
        error,
        Cause.IMPORT,
    )
