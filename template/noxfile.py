"""Vérifier ses exercices : `nox -s grade` (après `python -m pip install nox`).

    nox -s grade                              corrige tous les exercices
    nox -s grade -- --only ex2_telechargeur   un seul exercice
    nox -s watch                              corrige chaque exercice dès qu'il est enregistré
    nox -s timeline -- ex2_telechargeur       dessine ce que fait l'exercice, sans le corriger

La note affichée ne compte que les tests publics de ce dépôt ; la note finale
compte aussi des tests cachés.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

# Les réglages partagés avec le dépôt de l'enseignant (grader/tools/nox_support.py).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from grader.tools import nox_support

nox.needs_version = ">=2024.4.15"
nox.options.sessions = ["grade"]
# L'environnement est préparé une fois, puis réutilisé : les corrections
# suivantes démarrent tout de suite, sans rien installer.
nox_support.configure()


@nox.session
def grade(session: nox.Session) -> None:
    """Corrige les exercices du dossier exercises/ avec les tests publics et affiche la note."""
    nox_support.run_grader(session, "grader", "--target", "exercises")


@nox.session(default=False)
def watch(session: nox.Session) -> None:
    """Corrige chaque exercice de exercises/ dès que vous l'enregistrez (Ctrl-C pour arrêter)."""
    nox_support.watch(session)


@nox.session(default=False)
def timeline(session: nox.Session) -> None:
    """Dessine ce que fait un exercice sur l'horloge virtuelle, sans le corriger (-- exN)."""
    nox_support.timeline(session)
