"""Python's English error messages, said in French for a beginner.

Each gloss matches one message Python writes (the same on 3.11 to 3.13,
or one pattern per wording) and says what it usually means in this
chapter's programs, naming the values the message names. Python's own text
is kept under the gloss by the caller: a student who searches for it finds
it word for word.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_Gloss = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


# Where a None usually comes from in a beginner's program.
_NONE_SOURCE = (
    "le plus souvent une fonction sans « return », ou le résultat d'une fonction qui ne "
    "renvoie rien"
)


def _none_hint(*types: str) -> str:
    return f" ; l'une des valeurs vaut None : {_NONE_SOURCE}" if "NoneType" in types else ""


_RUNTIME: tuple[_Gloss, ...] = (
    (
        re.compile(r"'(\S+)' not supported between instances of '(\w+)' and '(\w+)'"),
        lambda m: (
            f"on ne peut pas comparer ({m[1]}) une valeur de type {m[2]} à une valeur de "
            f"type {m[3]}{_none_hint(m[2], m[3])}"
        ),
    ),
    (
        re.compile(r"unsupported operand type\(s\) for (\S+): '(\w+)' and '(\w+)'"),
        lambda m: (
            f"l'opération {m[1]} n'a pas de sens entre une valeur de type {m[2]} et une valeur "
            f"de type {m[3]}{_none_hint(m[2], m[3])}"
        ),
    ),
    (
        re.compile(r"asyncio\.run\(\) cannot be called from a running event loop"),
        lambda m: (
            "asyncio.run a été appelé alors qu'un event loop tourne déjà : asyncio.run ne sert "
            "qu'une fois, au point d'entrée du programme ; dans une coroutine, on attend une "
            "autre coroutine avec « await » (voir « L'event loop »)"
        ),
    ),
    (
        re.compile(r"(max|min)\(\) (?:arg is an empty sequence|iterable argument is empty)"),
        lambda m: (
            f"{m[1]}() a reçu une liste vide : prévoyez le cas où il n'y a aucune valeur, "
            f"par exemple avec {m[1]}(..., default=0)"
        ),
    ),
    (
        re.compile(r"a coroutine was expected, got (.+)"),
        lambda m: (
            f"une coroutine était attendue, c'est-à-dire l'appel f(...) d'une fonction "
            f"« async def » ; la valeur reçue est {m[1]} (la fonction elle-même sans ses "
            "parenthèses, ou le résultat d'une fonction ordinaire ?)"
        ),
    ),
    (
        re.compile(r"object (\w+) can't be used in 'await' expression"),
        lambda m: (
            f"« await » a reçu une valeur de type {m[1]}, qu'on ne peut pas attendre : on "
            "attend une coroutine, une tâche ou un Future (une fonction « async def » "
            "appelée, pas une fonction ordinaire)"
        ),
    ),
    (
        re.compile(r"'coroutine' object is not (subscriptable|iterable)"),
        lambda m: (
            "une coroutine a été utilisée comme un résultat : une fonction « async def » "
            "appelée sans « await » ne renvoie qu'un objet coroutine (voir « Les pièges "
            "classiques »)"
        ),
    ),
    (
        re.compile(r"cannot unpack non-iterable (\w+) object"),
        lambda m: (
            f"on ne peut pas répartir une valeur de type {m[1]} dans plusieurs variables"
            + (
                " : une fonction « async def » appelée sans « await » ne renvoie qu'un objet "
                "coroutine"
                if m[1] == "coroutine"
                else _none_hint(m[1])
            )
        ),
    ),
    (
        re.compile(r"'NoneType' object is not (subscriptable|iterable)"),
        lambda m: f"la valeur utilisée vaut None : {_NONE_SOURCE}",
    ),
    (
        re.compile(r"name '(\w+)' is not defined"),
        lambda m: (
            f"le nom {m[1]} n'existe pas à cet endroit : une faute de frappe, un import oublié "
            "(« import asyncio » ?) ou une variable définie dans une autre fonction"
        ),
    ),
    (
        re.compile(r"(\w+)\(\) missing (\d+) required positional arguments?: (.+)"),
        lambda m: f"{m[1]}() a été appelée sans son ou ses arguments {m[3]}",
    ),
    (
        re.compile(r"(\w+)\(\) takes (\d+) positional arguments? but (\d+) (?:was|were) given"),
        lambda m: f"{m[1]}() attend {m[2]} argument(s) et en a reçu {m[3]}",
    ),
    (
        re.compile(r"not enough values to unpack \(expected (\d+), got (\d+)\)"),
        lambda m: f"{m[1]} variables à remplir, mais seulement {m[2]} valeur(s) reçue(s)",
    ),
    (
        re.compile(r"too many values to unpack \(expected (\d+)\)"),
        lambda m: f"plus de valeurs reçues que les {m[1]} variables à remplir",
    ),
    (
        re.compile(r"task_done\(\) called too many times"),
        lambda m: (
            "queue.task_done() a été appelé plus de fois que d'éléments pris avec get : un "
            "seul task_done par élément pris"
        ),
    ),
)

_SYNTAX: tuple[_Gloss, ...] = (
    (
        re.compile(r"unterminated (?:triple-quoted )?string literal"),
        lambda m: "une chaîne de caractères n'est pas refermée : il manque un guillemet",
    ),
    (
        re.compile(r"'(.)' was never closed"),
        lambda m: f"la parenthèse ou le crochet « {m[1]} » n'est jamais refermé",
    ),
    (
        re.compile(r"expected ':'"),
        lambda m: "il manque les deux-points « : » à la fin de la ligne (def, if, for, with…)",
    ),
    (
        re.compile(r"'await' outside (?:async )?function"),
        lambda m: "« await » ne s'écrit que dans une fonction définie avec « async def »",
    ),
    (
        re.compile(r"'async (?:with|for)' outside async function"),
        lambda m: "« async with » et « async for » ne s'écrivent que dans une « async def »",
    ),
    (
        re.compile(r"unexpected indent|unindent does not match|expected an indented block"),
        lambda m: "l'indentation (les espaces en début de ligne) ne correspond pas au bloc",
    ),
    (
        re.compile(r"invalid syntax"),
        lambda m: "Python ne comprend pas cette ligne (une virgule, une parenthèse, un mot ?)",
    ),
)


def _first(glosses: tuple[_Gloss, ...], message: str) -> str:
    for pattern, say in glosses:
        found = pattern.search(message)
        if found:
            return say(found)
    return ""


def runtime_gloss(message: str) -> str:
    """A French sentence for an exception's message; "" for one not known here."""
    return _first(_RUNTIME, message)


def syntax_gloss(message: str) -> str:
    """A French sentence for a SyntaxError's message; "" for one not known here."""
    return _first(_SYNTAX, message)
