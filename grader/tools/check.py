"""``nox -s dev-check`` (``python -m grader.tools.check``): the catalogue and the folders agree.

For whoever adds an exercise (docs/ADDING_AN_EXERCISE.md): every rule the
kit holds an exercise to, checked in one run, each problem said in one
French sentence that names the file to fix.

- the catalogue: unique ids, a title and a hint for every test, points that
  add up to 20, 2 to 4 public tests and some hidden ones, assignments that
  name known exercises, every exercise in an assignment;
- the folders: a stub in ``exercises/`` (statement, ``# TODO``,
  ``NotImplementedError("À compléter")``) and a solution in ``solutions/``;
  one suite function per catalogue test, in the public or hidden suite the
  catalogue says, and no function the catalogue does not name;
- the kit's cases (``tests/submissions/<exercise>/cases.toml``): every case
  has its folder, names only known tests, every hidden test is failed by
  some case, and two right submissions are written differently;
- then, unless ``--static``: the solutions get every point with no
  diagnostic and the stubs none, each test saying « à compléter ».

Exit status: 0 when all holds, 1 with the list of problems, 2 for bad usage.
Whether each case really fails what it says is the kit's own tests' job
(``tests/test_submissions.py``): it grades every case, which takes minutes.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.metadata import Catalogue, ExerciseSpec, load_catalogue
from grader.results import Report, Status

PROG = "python -m grader.tools.check"
ROOT = Path(__file__).resolve().parent.parent.parent
POINTS_PER_EXERCISE = 20
PUBLIC_TESTS = range(2, 5)
STUB_BODY = 'NotImplementedError("À compléter")'


@dataclass(frozen=True)
class Kit:
    """Where the checked files are: the kit's own, or a small one in the kit's tests."""

    root: Path = ROOT

    @property
    def catalogue(self) -> Path:
        return self.root / "grader" / "exercises.toml"

    @property
    def suites(self) -> Path:
        return self.root / "grader" / "suites"

    @property
    def cases(self) -> Path:
        return self.root / "tests" / "submissions"

    def module(self, folder: str, exercise_id: str) -> Path:
        return self.root / folder / f"{exercise_id}.py"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def static_problems(kit: Kit | None = None) -> list[str]:
    """Every problem found without grading, one sentence each, in the catalogue's order."""
    kit = kit or Kit()
    try:
        catalogue = load_catalogue(kit.catalogue)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        return [f"{kit.relative(kit.catalogue)} ne se lit pas : {_why(exc)}."]
    problems = _catalogue_problems(catalogue)
    for exercise in catalogue.exercises:
        problems += _exercise_problems(kit, exercise)
        problems += _suite_problems(kit, exercise)
        problems += _case_problems(kit, exercise)
    return problems


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"il manque la clé {exc.args[0]!r}"
    return " ".join(str(exc).split()) or type(exc).__name__


def _twice(values: Sequence[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def _catalogue_problems(catalogue: Catalogue) -> list[str]:
    problems = [f"L'exercice {e} est déclaré deux fois." for e in _twice(catalogue.ids)]
    for exercise in catalogue.exercises:
        where = f"Dans l'exercice {exercise.id},"
        problems += [
            f"{where} le test {t} est déclaré deux fois."
            for t in _twice([t.id for t in exercise.tests])
        ]
        for test in exercise.tests:
            if not test.title.strip():
                problems.append(f"{where} le test {test.id} n'a pas de titre.")
            if not test.hint.strip():
                problems.append(f"{where} le test {test.id} n'a pas de piste (hint).")
            if test.points <= 0:
                problems.append(f"{where} le test {test.id} ne rapporte aucun point.")
        if exercise.max_score != POINTS_PER_EXERCISE:
            problems.append(
                f"{where} les points font {exercise.max_score:g} au lieu de {POINTS_PER_EXERCISE}."
            )
        public = sum(1 for t in exercise.tests if not t.hidden)
        if public not in PUBLIC_TESTS:
            problems.append(f"{where} il y a {public} tests publics au lieu de 2 à 4.")
        if all(not t.hidden for t in exercise.tests):
            problems.append(f"{where} aucun test n'est caché.")
    ids = [a.id for a in catalogue.assignments]
    problems += [f"Le devoir {a} est déclaré deux fois." for a in _twice(ids)]
    for assignment in catalogue.assignments:
        if not assignment.exercises:
            problems.append(f"Le devoir {assignment.id} ne compte aucun exercice.")
        for name in _twice(assignment.exercises):
            problems.append(f"Le devoir {assignment.id} compte deux fois l'exercice {name}.")
        for name in assignment.exercises:
            if name not in catalogue.ids:
                problems.append(f"Le devoir {assignment.id} compte l'exercice {name}, inconnu.")
    if catalogue.assignments:
        assigned = {name for a in catalogue.assignments for name in a.exercises}
        for exercise_id in catalogue.ids:
            if exercise_id not in assigned:
                problems.append(f"L'exercice {exercise_id} n'est dans aucun devoir.")
    return problems


def _exercise_problems(kit: Kit, exercise: ExerciseSpec) -> list[str]:
    problems: list[str] = []
    stub, solution = kit.module("exercises", exercise.id), kit.module("solutions", exercise.id)
    for path in (stub, solution):
        if not path.is_file():
            problems.append(f"{kit.relative(path)} manque.")
    if stub.is_file():
        text = stub.read_text(encoding="utf-8")
        tree = _parse(text)
        if tree is None:
            problems.append(f"{kit.relative(stub)} ne se lit pas (erreur de syntaxe).")
        elif not (ast.get_docstring(tree) or "").strip():
            problems.append(f"{kit.relative(stub)} n'a pas d'énoncé (la docstring du module).")
        if "# TODO" not in text:
            problems.append(
                f"{kit.relative(stub)} ne marque pas par « # TODO » ce qui est à écrire."
            )
        if STUB_BODY not in text:
            problems.append(f"{kit.relative(stub)} ne lève nulle part {STUB_BODY}.")
    if exercise.timeline is not None and solution.is_file():
        tree = _parse(solution.read_text(encoding="utf-8"))
        defined = {
            node.name
            for node in (tree.body if tree is not None else [])
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        for name in (exercise.timeline.call, *exercise.timeline.spies):
            if name not in defined:
                problems.append(
                    f"La frise de {exercise.id} nomme {name}, qui n'est pas une fonction "
                    f"de {kit.relative(solution)}."
                )
    return problems


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except SyntaxError:
        return None


def _suite_functions(path: Path) -> list[str] | None:
    """The test ids a suite defines (its `test_<id>` functions); None if it does not parse."""
    if not path.is_file():
        return []
    tree = _parse(path.read_text(encoding="utf-8"))
    if tree is None:
        return None
    return [
        node.name.removeprefix("test_")
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    ]


def _suite_problems(kit: Kit, exercise: ExerciseSpec) -> list[str]:
    problems: list[str] = []
    for hidden in (False, True):
        path = exercise.suite_file(hidden, kit.suites)
        name = kit.relative(path)
        declared = [t.id for t in exercise.tests if t.hidden is hidden]
        found = _suite_functions(path)
        if found is None:
            problems.append(f"{name} ne se lit pas (erreur de syntaxe).")
            continue
        if declared and not path.is_file():
            problems.append(
                f"{name} manque : le catalogue y déclare "
                f"{', '.join('test_' + t for t in declared)}."
            )
            continue
        for test_id in declared:
            if test_id not in found:
                problems.append(f"{name} ne définit pas test_{test_id}, que le catalogue déclare.")
        for test_id in found:
            if test_id not in declared:
                kind = "cachés" if hidden else "publics"
                problems.append(
                    f"{name} définit test_{test_id}, que le catalogue ne déclare pas "
                    f"parmi les tests {kind}."
                )
    return problems


def _case_problems(kit: Kit, exercise: ExerciseSpec) -> list[str]:
    folder = kit.cases / exercise.id
    cases_file = folder / "cases.toml"
    name = kit.relative(cases_file)
    if not cases_file.is_file():
        return [f"{name} manque : aucune copie ne montre que les tests cachés échouent."]
    try:
        cases: dict[str, Any] = tomllib.loads(cases_file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return [f"{name} ne se lit pas : {_why(exc)}."]
    problems: list[str] = []
    known = {t.id for t in exercise.tests}
    for case, spec in cases.items():
        if not (folder / case / f"{exercise.id}.py").is_file():
            problems.append(f"La copie {case} de {name} n'a pas de {exercise.id}.py.")
        for key in ("fails", "passes"):
            for test_id in spec.get(key, []):
                if test_id not in known:
                    problems.append(f"La copie {case} de {name} nomme un test inconnu : {test_id}.")
        if not spec.get("fails") and not spec.get("full_marks"):
            problems.append(f"La copie {case} de {name} n'échoue à rien et n'a pas tout juste.")
    failed = {test_id for spec in cases.values() for test_id in spec.get("fails", [])}
    for test in exercise.tests:
        if test.hidden and test.id not in failed:
            problems.append(f"Aucune copie de {name} n'échoue au test caché {test.id}.")
    right = [case for case, spec in cases.items() if spec.get("full_marks")]
    if len(right) < 2:
        problems.append(
            f"{name} a {len(right)} copie juste au lieu d'au moins 2, écrites autrement."
        )
    return problems


# ---------------------------------------------------------------- grading


def solution_problems(report: Report) -> list[str]:
    """What keeps the solutions' grade from being every point with no diagnostic."""
    problems: list[str] = []
    for exercise in report.exercises:
        for test in exercise.tests:
            if test.status is not Status.PASSED:
                problems.append(
                    f"La solution de {exercise.id} échoue au test {test.id} : {test.message}"
                )
        for diagnostic in exercise.diagnostics:
            problems.append(
                f"La solution de {exercise.id} reçoit un diagnostic ({diagnostic.kind}, "
                f"ligne {diagnostic.line}) : {diagnostic.message}"
            )
    return problems


def stub_problems(report: Report) -> list[str]:
    """What keeps the stubs' grade from being 0, every test saying what is left to write."""
    problems: list[str] = []
    for exercise in report.exercises:
        for test in exercise.tests:
            if test.status is Status.PASSED:
                problems.append(f"Le squelette de {exercise.id} réussit déjà le test {test.id}.")
            elif "à compléter" not in test.message:
                problems.append(
                    f"Le squelette de {exercise.id} échoue au test {test.id} sans dire ce qui "
                    f"est à compléter : {test.message}"
                )
    return problems


def grading_problems(kit: Kit | None = None) -> list[str]:
    """The solutions and the stubs of every exercise, graded."""
    from grader.runner import grade  # the engine: only when grading is asked for

    kit = kit or Kit()
    catalogue = load_catalogue(kit.catalogue)
    everything = list(catalogue.ids)
    solutions = grade(kit.root / "solutions", everything, catalogue=catalogue, suites=kit.suites)
    stubs = grade(kit.root / "exercises", everything, catalogue=catalogue, suites=kit.suites)
    return solution_problems(solutions) + stub_problems(stubs)


def main(argv: Sequence[str] | None = None) -> int:
    from grader import usage

    parser = usage.Parser(
        prog=PROG,
        description=(
            "Vérifie que le catalogue, les énoncés, les solutions, les suites de tests et les "
            "copies du kit s'accordent ; puis corrige les solutions (tout juste) et les "
            "squelettes (zéro)."
        ),
    )
    parser.add_argument(
        "--static", action="store_true", help="sans corriger les solutions ni les squelettes"
    )
    try:
        args = parser.parse_args(argv)
    except usage.UsageError as exc:
        return usage.usage_error(PROG, exc)
    problems = static_problems()
    if not problems and not args.static:
        problems = grading_problems()
    for problem in problems:
        print(f"- {problem}")
    if problems:
        print(f"{len(problems)} problème{'s' if len(problems) > 1 else ''}.", file=sys.stderr)
        return 1
    checked = "le catalogue et les dossiers s'accordent"
    if not args.static:
        checked += ", les solutions ont tous les points et les squelettes aucun"
    print(f"Vérifié : {checked}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
