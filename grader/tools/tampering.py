"""Kit files a student edited: the grade their own repository reported may be forged.

The students' repository (`export.plan`) holds the grader, its settings, the
nox sessions and the Classroom workflow. A copy that changed one of them, or
added a workflow, may have shown itself a grade it never earned; the kit's
grade of that copy is right, and the edit is named in its row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

# The files of the students' repository a student has no reason to edit.
_KIT_PREFIXES = ("grader/", ".github/")
_KIT_FILES = ("noxfile.py", "pyproject.toml")
_SHOWN_FILES = 4


def protected_files(planned: Mapping[str, bytes]) -> dict[str, bytes]:
    """Of the students' repository (`export.plan`), the files no student should edit."""
    return {
        path: data
        for path, data in planned.items()
        if path.startswith(_KIT_PREFIXES) or path in _KIT_FILES
    }


def edited_kit_files(repository: Path, kit: Mapping[str, bytes]) -> list[str]:
    """The kit's files changed in a student's repository, and workflows added to it."""
    edited = [
        path
        for path, data in kit.items()
        if (repository / path).is_file() and (repository / path).read_bytes() != data
    ]
    workflows = repository / ".github" / "workflows"
    if workflows.is_dir():
        edited += [
            f".github/workflows/{entry.name}"
            for entry in sorted(workflows.iterdir())
            if f".github/workflows/{entry.name}" not in kit
        ]
    return sorted(edited)


def edited_in_copy(target: Path, kit: Mapping[str, bytes] | None) -> tuple[str, ...]:
    """The kit's files edited in the copy whose modules are in `target` (its repository's)."""
    if not kit:
        return ()
    repository = target.parent if target.name == "exercises" else target
    return tuple(edited_kit_files(repository, kit))


def tampering_text(edited: Sequence[str]) -> str:
    """What a copy's row says of the kit's files it edited ("" for none)."""
    if not edited:
        return ""
    shown = ", ".join(edited[:_SHOWN_FILES]) + (" ..." if len(edited) > _SHOWN_FILES else "")
    return (
        f"fichiers du kit modifiés ou ajoutés : {shown} (la note du dépôt de l'élève a pu en "
        "être faussée ; celle-ci vient du kit)"
    )
