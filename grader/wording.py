"""The clock's verdicts in French: one text for each, said by the executor and by the judge.

The executor raises them while the student's code runs (and words an
import that never ends with them); the judge words the same verdicts when an
observation reports them. Both sides import these functions, so a student
reads the same sentence wherever the verdict came from.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.protocol import Stuck, Where


def deadlock_text(stuck: Sequence[Stuck]) -> str:
    if not stuck:
        return "interblocage : plus rien ne peut se produire (aucune tâche prête, aucun minuteur)"
    parts = [f"{t.name} à {t.where}" if t.where else t.name for t in stuck]
    return "interblocage : toutes les tâches attendent pour toujours — " + " ; ".join(parts)


def time_budget_text(budget: float) -> str:
    return (
        f"le programme tourne encore après {budget:.0f} s de temps simulé : "
        "une boucle qui ne s'arrête jamais ?"
    )


def busy_loop_text(where: Where | None) -> str:
    at = f" (à {where})" if where else ""
    return (
        f"boucle active{at} : une tâche reprend la main sans cesse sans que le temps "
        "avance, elle attend en consommant le processeur au lieu d'attendre un événement"
    )
