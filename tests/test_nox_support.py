"""What both noxfiles share: a session installs the kit once, then only when pyproject.toml changes.

A stand-in session records what nox would have been asked to do; the real
sessions are driven in test_watch.py (the kit's) and test_export.py (the students').
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.tools import nox_support


@dataclass
class FakeVirtualenv:
    location: str


@dataclass
class FakeSession:
    venv: Path
    venv_backend: str = "virtualenv"
    posargs: list[str] = field(default_factory=list)
    installs: list[tuple[str, ...]] = field(default_factory=list)
    runs: list[tuple[tuple[str, ...], float]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    @property
    def virtualenv(self) -> FakeVirtualenv:
        return FakeVirtualenv(str(self.venv))

    def install(self, *args: str) -> None:
        self.installs.append(args)

    def log(self, message: str) -> None:
        self.logs.append(message)

    def run(self, *args: str, interrupt_timeout: float) -> None:
        self.runs.append((args, interrupt_timeout))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "kit"\n', encoding="utf-8")
    (tmp_path / "venv").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_second_run_installs_nothing(project: Path) -> None:
    session = FakeSession(project / "venv", posargs=["--only", "ex1_sync_vs_async"])
    nox_support.run_grader(session, "grader", "--target", "exercises")  # type: ignore[arg-type]
    nox_support.run_grader(session, "grader", "--target", "exercises")  # type: ignore[arg-type]
    assert session.installs == [("-e", ".")]
    assert len(session.logs) == 1 and session.logs[0].startswith("Préparation de l'environnement")
    # The student's arguments come last; the grader is given time to stop.
    command = ("python", "-m", "grader", "--target", "exercises", "--only", "ex1_sync_vs_async")
    assert session.runs == [(command, nox_support.STOP_GRACE)] * 2


def test_a_changed_pyproject_or_other_requirements_install_again(project: Path) -> None:
    session = FakeSession(project / "venv")
    nox_support.install_once(session, "-e", ".")  # type: ignore[arg-type]
    (project / "pyproject.toml").write_text('[project]\nname = "kit2"\n', encoding="utf-8")
    nox_support.install_once(session, "-e", ".")  # type: ignore[arg-type]
    nox_support.install_once(session, "-e", ".[watch]")  # type: ignore[arg-type]
    nox_support.install_once(session, "-e", ".[watch]")  # type: ignore[arg-type]
    assert session.installs == [("-e", "."), ("-e", "."), ("-e", ".[watch]")]


def test_a_new_environment_installs_again(project: Path) -> None:
    nox_support.install_once(FakeSession(project / "venv"), "-e", ".")  # type: ignore[arg-type]
    (project / "venv2").mkdir()
    again = FakeSession(project / "venv2")
    nox_support.install_once(again, "-e", ".")  # type: ignore[arg-type]
    assert again.installs == [("-e", ".")]


def test_no_venv_leaves_the_installing_to_nox(project: Path) -> None:
    # `nox --no-venv`: nox itself refuses, or skips with --no-install; no stamp is kept.
    session = FakeSession(project / "venv", venv_backend="none")
    nox_support.install_once(session, "-e", ".")  # type: ignore[arg-type]
    nox_support.install_once(session, "-e", ".")  # type: ignore[arg-type]
    assert session.installs == [("-e", "."), ("-e", ".")]
    assert not (project / "venv" / ".kit-installed").exists()
