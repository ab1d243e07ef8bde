"""The shape of `grader/` that docs/ARCHITECTURE.md describes, kept by tests.

- The executor (what runs in the sandbox) imports only what the sandbox
  binds (`bwrap.RUNTIME_FILES`): itself, the protocol and a few shared
  modules. Anything else would be missing there, or would bring the
  trusted side's code (suites, catalogue) within the student's reach.
- A report format imports only the formats' shared vocabulary, the
  timeline drawing and the results, never another format.
- A module over 400 lines says why in its docstring.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.isolation import bwrap

GRADER = Path(__file__).resolve().parents[1] / "grader"
MAX_LINES = 400
# How a docstring says why its module is long.
REASONS = ("on purpose", "Long because")


def module_name(path: Path) -> str:
    parts = path.relative_to(GRADER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def grader_imports(path: Path) -> set[str]:
    """The grader modules `path` imports, anywhere in it (a function's imports too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from grader import protocol`: the names may be modules.
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name == "grader" or name.startswith("grader.")}


def modules(folder: str) -> list[Path]:
    return sorted((GRADER / folder).rglob("*.py"))


def is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (GRADER / relative).with_suffix(".py").is_file() or (GRADER / relative).is_dir()


def test_the_executor_imports_only_what_the_sandbox_binds() -> None:
    bound = {
        "grader." + entry.removesuffix(".py").replace("/", ".")
        for entry in bwrap.RUNTIME_FILES
        if entry != "__init__.py"
    }
    wrong = {
        f"{path.relative_to(GRADER)} importe {name}"
        for path in modules("executor")
        for name in grader_imports(path)
        if name != "grader"
        and is_module(name)
        and not any(name == b or name.startswith(b + ".") for b in bound)
    }
    assert not wrong, sorted(wrong)


def test_a_format_imports_no_other_format() -> None:
    allowed = {"grader.formats", "grader.formats.words", "grader.formats.timeline"}
    wrong = {
        f"{path.name} importe {name}"
        for path in modules("formats")
        for name in grader_imports(path)
        if name.startswith("grader.formats.") and is_module(name) and name not in allowed
    }
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize(
    "path", [p for p in sorted(GRADER.rglob("*.py")) if "__pycache__" not in p.parts], ids=str
)
def test_a_long_module_says_why(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if text.count("\n") <= MAX_LINES:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert any(reason in docstring for reason in REASONS), (
        f"{path.relative_to(GRADER)} a {text.count(chr(10))} lignes : scindez-le, ou dites "
        "dans sa docstring pourquoi il reste d'un seul tenant"
    )


def test_the_checks_above_can_fail(tmp_path: Path) -> None:
    # The imports are read the way the tests above read them.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from grader import protocol\nimport grader.judge.harness\n"
        "def f():\n    from grader.formats import terminal\n",
        encoding="utf-8",
    )
    assert grader_imports(sample) >= {
        "grader.protocol",
        "grader.judge.harness",
        "grader.formats.terminal",
    }
    assert is_module("grader.judge.harness") and not is_module("grader.judge.absent")


def test_every_file_of_the_grader_is_installed() -> None:
    # An editable install (the README's, CI's) serves grader/ from the source
    # tree whatever pyproject.toml lists; `pip install .` or a wheel installs
    # only the packages setuptools finds and the package data it names, and a
    # file left out there fails only on that machine.
    import fnmatch
    import tomllib

    # A venv of Python 3.12 or later has no setuptools; 3.11's has.
    find_packages = pytest.importorskip("setuptools").find_packages

    config = tomllib.loads((GRADER.parent / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools_config = config["tool"]["setuptools"]
    packages = set(find_packages(str(GRADER.parent), **setuptools_config["packages"]["find"]))
    data = setuptools_config["package-data"]["grader"]
    missing = []
    for path in sorted(GRADER.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(GRADER).as_posix()
        if path.suffix == ".py":
            if module_name(path.parent / "__init__.py") not in packages:
                missing.append(relative)
        elif not any(fnmatch.fnmatch(relative, pattern) for pattern in data):
            missing.append(relative)
    assert missing == []
