"""What the sandbox shows its processes: the `bwrap` command line, bind by bind.

`grader.isolation.sandbox` decides whether there is a sandbox and runs the
copy's server in it; this module says what that server sees (see the
sandbox's docstring for why each piece is there, and `docs/ARCHITECTURE.md`).
"""

from __future__ import annotations

import compileall
import importlib.util
import os
import sys
import sysconfig
from pathlib import Path

# The grader's own modules an executor imports, relative to the package's
# folder: these shared modules, and the protocol and executor packages as whole
# folders (so a module added to either needs no entry here).
RUNTIME_FILES = ("__init__.py", "results.py", "source.py", "wording.py", "protocol", "executor")
# Third-party packages the executor imports (freezegun and what it needs).
RUNTIME_PACKAGES = ("freezegun", "dateutil", "six")
RUNTIME_ROOT = "/grader-runtime"
# The sandbox's /tmp: working folders only, nothing large.
TMP_SIZE = 64 * 1024 * 1024
PACKAGE = Path(__file__).resolve().parent.parent


def python_path() -> Path:
    """The interpreter itself, not a virtual environment's launcher of it."""
    base = getattr(sys, "_base_executable", "") or sys.executable
    return Path(base).resolve()


def _system_binds() -> list[str]:
    args: list[str] = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime"):
        if Path(name).exists():
            args += ["--ro-bind", name, name]
    prefix = Path(sys.base_prefix).resolve()
    args += ["--ro-bind", str(prefix), str(prefix)]
    python = python_path()
    if not python.is_relative_to(prefix):
        args += ["--ro-bind", str(python), str(python)]
    # The runtime's own installed packages may hold a non-editable copy of
    # the kit, hidden suites included: hidden behind an empty folder.
    for key in ("purelib", "platlib"):
        site = Path(sysconfig.get_paths(vars={"base": str(prefix), "platbase": str(prefix)})[key])
        if site.is_dir() and site.is_relative_to(prefix):
            args += ["--tmpfs", str(site)]
    return args


def _hidden(binds: list[str]) -> list[str]:
    """Empty folders over the kit itself where a bind shows it (a system-wide install)."""
    roots = [Path(binds[i + 2]) for i, arg in enumerate(binds) if arg == "--ro-bind"]
    python = python_path()
    args: list[str] = []
    for path in (PACKAGE.parent, PACKAGE):
        inside = any(path.is_relative_to(root) and path != root for root in roots)
        if inside and path.is_dir() and not python.is_relative_to(path):
            args += ["--tmpfs", str(path)]
            break
    return args


def _runtime_binds() -> list[str]:
    _compile_runtime()
    args: list[str] = []
    for relative in RUNTIME_FILES:
        source = PACKAGE / relative
        args += ["--ro-bind", str(source), f"{RUNTIME_ROOT}/grader/{relative}"]
        cached = Path(importlib.util.cache_from_source(str(source)))
        if source.is_file() and cached.is_file():
            args += ["--ro-bind", str(cached), f"{RUNTIME_ROOT}/grader/__pycache__/{cached.name}"]
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        if spec.submodule_search_locations:
            source = Path(next(iter(spec.submodule_search_locations)))
            args += ["--ro-bind", str(source), f"{RUNTIME_ROOT}/{name}"]
        else:
            args += ["--ro-bind", spec.origin, f"{RUNTIME_ROOT}/{Path(spec.origin).name}"]
    return args


def _compile_runtime() -> None:
    # Nothing inside may write bytecode, and only the sandbox imports the
    # executor's modules: compiled here, outside, they are not compiled again
    # by every copy's server. Up to date, this is a few stats; where the kit's
    # folder is read-only, nothing is written and the server compiles them.
    for relative in RUNTIME_FILES:
        path = PACKAGE / relative
        try:
            if path.is_dir():
                compileall.compile_dir(path, quiet=2)
            else:
                compileall.compile_file(path, quiet=2)
        except OSError:
            pass


def _environment() -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONPATH": RUNTIME_ROOT,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        # Sets of strings iterate in the same order on every run.
        "PYTHONHASHSEED": "0",
    }


def bwrap_command(bwrap: str, target: Path | None, command: list[str]) -> list[str]:
    """The bwrap command line that runs `command` in the sandbox, with `target` visible."""
    args = [
        bwrap,
        *("--unshare-all", "--unshare-user", "--cap-drop", "ALL"),
        *("--die-with-parent", "--new-session", "--as-pid-1"),
        *(system := _system_binds()),
        *_hidden(system),
        *_runtime_binds(),
        *("--proc", "/proc", "--dev", "/dev"),
        *("--size", str(TMP_SIZE), "--tmpfs", "/tmp"),
    ]
    if target is not None:
        args += ["--ro-bind", str(target), str(target)]
    args += ["--chdir", "/tmp", "--clearenv"]
    for name, value in _environment().items():
        args += ["--setenv", name, value]
    return [*args, "--", *command]
