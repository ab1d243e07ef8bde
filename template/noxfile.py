"""Vérifier ses exercices : `nox -s grade` (après `python -m pip install nox`).

    nox -s grade                              corrige tous les exercices
    nox -s grade -- --only ex2_telechargeur   un seul exercice

La note affichée ne compte que les tests publics de ce dépôt ; la note finale
compte aussi des tests cachés.
"""

from __future__ import annotations

import nox

nox.needs_version = ">=2024.4.15"
nox.options.sessions = ["grade"]
# L'environnement est préparé une fois, puis réutilisé : les corrections
# suivantes démarrent tout de suite.
nox.options.reuse_venv = "yes"


@nox.session
def grade(session: nox.Session) -> None:
    """Corrige les exercices du dossier exercises/ avec les tests publics et affiche la note."""
    session.install("-e", ".")
    session.run("python", "-m", "grader", "--target", "exercises", *session.posargs)
