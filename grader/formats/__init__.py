"""Report formats: one module per format, found by name.

Every format module exposes ``render(report, *, color) -> str``; it may also
expose ``publish(report, environ) -> None``, which the command line calls once
the render is written (the Classroom format uses it to fill ``$GITHUB_OUTPUT``).

Modules are imported only when their format is asked for, so a format whose
module is missing or broken never stops the others from working.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType, ModuleType

# Read-only on purpose: the registry is configuration, not state.
FORMATS: Mapping[str, str] = MappingProxyType(
    {
        "terminal": "grader.formats.terminal",
        "json": "grader.formats.json_report",
        "classroom": "grader.formats.classroom",
        "gradescope": "grader.formats.gradescope",
        "junit": "grader.formats.junit",
        "html": "grader.formats.html",
    }
)

DEFAULT = "terminal"


class FormatUnavailable(Exception):
    """The format is unknown, or its module cannot be imported."""


def load(name: str) -> ModuleType:
    """The module of format ``name``, checked to have a ``render`` function."""
    try:
        module_name = FORMATS[name]
    except KeyError:
        known = ", ".join(FORMATS)
        raise FormatUnavailable(f"format inconnu « {name} » ; formats connus : {known}") from None
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise FormatUnavailable(
            f"le format « {name} » n'est pas disponible ({type(exc).__name__} : {exc})"
        ) from exc
    if not callable(getattr(module, "render", None)):
        raise FormatUnavailable(f"le format « {name} » n'a pas de fonction render()")
    return module
