"""Grading a whole class: `python -m grader --submissions DIR --csv FILE`.

Most tests give `grade_class` a stand-in engine, to check the rows, the CSV,
the flags and the parallelism alone. The last ones grade a real class mixing
correct, partial, wrong, broken and hostile submissions with the real engine.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import browser
import pytest

from grader.metadata import load_catalogue
from grader.results import ExerciseResult, Report, Span, Status, TestResult, Timeline
from grader.tools import batch, class_sheet, export

ROOT = Path(__file__).resolve().parent.parent
NOWHERE = (
    "aucun module d'exercice trouvé (ni dans exercises/, ni à la racine, ni un niveau plus bas, "
    "ou à plusieurs endroits)"
)

IDS = load_catalogue().default.exercises
MAX_SCORES = {e.id: e.max_score for e in load_catalogue().exercises}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def fake_report(target: Path, only: Sequence[str] | None, earned: float) -> Report:
    """Every chosen exercise present in `target`, one test worth 20 points."""
    exercises = []
    for name in only or IDS:
        status = Status.PASSED if earned else Status.FAILED
        exercises.append(
            ExerciseResult(
                id=name,
                title=name,
                tests=(TestResult("t", "T", False, status, 20.0 if earned else 0.0, 20.0),),
            )
        )
    return Report(exercises=tuple(exercises), target=str(target))


class FakeEngine:
    """Stands for grader.runner.grade: points from the student's folder name."""

    def __init__(self, behaviour: Callable[[str], None] | None = None) -> None:
        self.calls: list[tuple[str, tuple[str, ...] | None, int | None]] = []
        self.lock = threading.Lock()
        self.behaviour = behaviour

    def __call__(
        self, target: Path, only: Sequence[str] | None = None, *, jobs: int | None = None
    ) -> Report:
        name = target.parent.name
        with self.lock:
            self.calls.append((name, tuple(only) if only else None, jobs))
        if self.behaviour is not None:
            self.behaviour(name)
        return fake_report(target, only, 0.0 if name.startswith("zero") else 20.0)


def make_class(root: Path, names: Sequence[str], modules: Sequence[str] = IDS) -> Path:
    for name in names:
        folder = root / name / "exercises"
        folder.mkdir(parents=True)
        for module in modules:
            (folder / f"{module}.py").write_text(f"# copie de {name}\n", encoding="utf-8")
    return root


def run_class(root: Path, engine: batch.GradeFunction, **kwargs: object) -> tuple[int, str]:
    out = io.StringIO()
    status = batch.grade_class(
        root,
        root.parent / "notes.csv",
        grade=engine,
        stream=out,
        **kwargs,  # type: ignore[arg-type]
    )
    return status, out.getvalue()


# ---------------------------------------------------------------- with a stand-in engine


def test_one_row_per_student_folder(tmp_path: Path) -> None:
    root = make_class(tmp_path / "classe", ["bob", "alice", "zero_claire"])
    (root / "pas_une_copie").mkdir()  # no module anywhere: a row that says so
    (root / ".git").mkdir()
    (root / "notes.txt").write_text("", encoding="utf-8")
    engine = FakeEngine()
    status, out = run_class(root, engine, jobs=2)
    assert status == 0
    rows = read_csv(tmp_path / "notes.csv")
    assert [r["eleve"] for r in rows] == ["alice", "bob", "pas_une_copie", "zero_claire"]
    assert rows[2]["probleme"] == NOWHERE and rows[2]["total"] == "0"
    rows = [r for r in rows if r["eleve"] != "pas_une_copie"]
    header = list(rows[0])
    assert header == ["eleve", *IDS, "total", "probleme", "explication"]
    assert rows[0]["total"] == str(20 * len(IDS)) and rows[0]["probleme"] == ""
    assert all(rows[0][name] == "20" for name in IDS)
    assert rows[2]["total"] == "0"
    # Each submission is graded once, one exercise at a time (the class is the parallelism).
    assert sorted(c[0] for c in engine.calls) == ["alice", "bob", "zero_claire"]
    assert all(c[2] == 1 for c in engine.calls)
    assert "4 copies corrigées" in out


def test_only_limits_the_columns(tmp_path: Path) -> None:
    root = make_class(tmp_path / "classe", ["alice"], modules=["ex2_telechargeur"])
    engine = FakeEngine()
    status, _ = run_class(root, engine, only=["ex2_telechargeur"])
    assert status == 0
    assert engine.calls == [("alice", ("ex2_telechargeur",), 1)]
    rows = read_csv(tmp_path / "notes.csv")
    assert list(rows[0]) == ["eleve", "ex2_telechargeur", "total", "probleme", "explication"]
    assert rows[0]["ex2_telechargeur"] == "20" and rows[0]["total"] == "20"


def test_a_crashing_submission_is_flagged_and_the_others_graded(tmp_path: Path) -> None:
    def behaviour(name: str) -> None:
        if name == "casse":
            raise RuntimeError("le correcteur a rencontré\nune copie impossible")

    root = make_class(tmp_path / "classe", ["alice", "casse", "dora"])
    status, out = run_class(root, FakeEngine(behaviour))
    assert status == 0
    rows = {r["eleve"]: r for r in read_csv(tmp_path / "notes.csv")}
    assert rows["casse"]["probleme"] == (
        "correction impossible : le correcteur a rencontré une copie impossible"
    )
    assert rows["casse"]["total"] == "0"
    assert rows["alice"]["probleme"] == rows["dora"]["probleme"] == ""
    assert rows["dora"]["total"] == str(20 * len(IDS))
    assert "1 à vérifier" in out


def test_a_folder_without_exercise_modules_is_not_graded(tmp_path: Path) -> None:
    root = make_class(tmp_path / "classe", ["alice"])
    (root / "vide" / "exercises").mkdir(parents=True)
    (root / "vide" / "exercises" / "notes.md").write_text("rien", encoding="utf-8")
    engine = FakeEngine()
    run_class(root, engine)
    assert [c[0] for c in engine.calls] == ["alice"]
    rows = {r["eleve"]: r for r in read_csv(tmp_path / "notes.csv")}
    assert rows["vide"]["probleme"] == NOWHERE
    assert rows["vide"]["total"] == "0"


def test_modules_at_the_root_or_one_level_down_are_found(tmp_path: Path) -> None:
    root = tmp_path / "classe"
    for name, where in (("racine", ""), ("clone", "depot/exercises/"), ("envoi", "depot/")):
        folder = root / name / where
        folder.mkdir(parents=True)
        (folder / f"{IDS[0]}.py").write_text("", encoding="utf-8")
    # Two places each holding modules: which one counts is not for the grader to guess.
    for twice in ("a", "b"):
        (root / "double" / twice).mkdir(parents=True)
        (root / "double" / twice / f"{IDS[0]}.py").write_text("", encoding="utf-8")
    engine = FakeEngine()
    run_class(root, engine, only=[IDS[0]])
    assert len(engine.calls) == 3
    rows = {r["eleve"]: r for r in read_csv(tmp_path / "notes.csv")}
    assert all(rows[name]["probleme"] == "" for name in ("racine", "clone", "envoi"))
    assert rows["double"]["probleme"] == NOWHERE


def test_a_cell_a_student_wrote_never_becomes_a_formula(tmp_path: Path) -> None:
    rows = [
        class_sheet.Row('=HYPERLINK("http://x")', {}, 0.0, 20.0, "", "+1 et @moi\n-ligne"),
        class_sheet.Row("alice", {}, 20.0, 20.0, "", "Les attentes s'additionnent."),
    ]
    class_sheet.write_csv(rows, [], tmp_path / "notes.csv")
    read = read_csv(tmp_path / "notes.csv")
    assert read[0]["eleve"] == '\'=HYPERLINK("http://x")'
    assert read[0]["explication"] == "'+1 et @moi -ligne"
    assert read[1]["explication"] == "Les attentes s'additionnent."


def test_submissions_are_graded_at_the_same_time(tmp_path: Path) -> None:
    # Two gradings can only both pass the barrier if they run at once; the
    # timeout only matters if they do not (the barrier then breaks).
    barrier = threading.Barrier(2, timeout=60)
    root = make_class(tmp_path / "classe", ["alice", "bob"])
    run_class(root, FakeEngine(lambda name: barrier.wait()), jobs=2)
    rows = read_csv(tmp_path / "notes.csv")
    assert [r["probleme"] for r in rows] == ["", ""]


def test_a_stuck_submission_does_not_hold_up_the_others(tmp_path: Path) -> None:
    names = ["a_lent", "b", "c", "d", "e"]
    others_done = threading.Event()
    done: list[str] = []
    lock = threading.Lock()

    def behaviour(name: str) -> None:
        if name == "a_lent":
            # Graded first, and held until every other copy is graded by the
            # second worker: the class goes on around a submission that hangs.
            assert others_done.wait(timeout=60), "les autres copies n'ont pas avancé"
            return
        with lock:
            done.append(name)
            if len(done) == len(names) - 1:
                others_done.set()

    root = make_class(tmp_path / "classe", names)
    status, _ = run_class(root, FakeEngine(behaviour), jobs=2)
    assert status == 0
    assert [r["probleme"] for r in read_csv(tmp_path / "notes.csv")] == [""] * len(names)


def test_an_interrupted_run_keeps_the_grades_so_far(tmp_path: Path) -> None:
    def behaviour(name: str) -> None:
        if name == "c":
            raise KeyboardInterrupt

    root = make_class(tmp_path / "classe", ["a", "b", "c", "d"])
    with pytest.raises(KeyboardInterrupt):
        run_class(root, FakeEngine(behaviour), jobs=1)
    assert [r["eleve"] for r in read_csv(tmp_path / "notes.csv")] == ["a", "b"]


def test_plain_progress_lines_when_not_a_terminal(tmp_path: Path) -> None:
    root = make_class(tmp_path / "classe", ["alice", "zero_bob"])
    _, out = run_class(root, FakeEngine(), jobs=1)
    lines = out.splitlines()
    assert lines[0].startswith("[1/2] alice : ")
    assert lines[1].startswith("[2/2] zero_bob : 0/")
    assert "\x1b[" not in out


def test_progress_bar_when_asked(tmp_path: Path) -> None:
    root = make_class(tmp_path / "classe", ["alice", "bob"])
    status, out = run_class(root, FakeEngine(), progress=True)
    assert status == 0
    assert "Correction de la classe" in out
    assert "2/2" in out


@pytest.mark.parametrize("case", ["absent", "sans_copie", "csv_sans_dossier"])
def test_usage_errors(case: str, tmp_path: Path) -> None:
    root = tmp_path / "classe"
    csv_path = tmp_path / "notes.csv"
    if case == "absent":
        pass
    elif case == "sans_copie":
        (root / "alice").mkdir(parents=True)
    else:
        make_class(root, ["alice"])
        csv_path = tmp_path / "absent" / "notes.csv"
    out = io.StringIO()
    status = batch.grade_class(root, csv_path, grade=FakeEngine(), stream=out)
    assert status == 2
    assert len(out.getvalue().splitlines()) == 1
    assert out.getvalue().startswith("python -m grader : erreur : ")
    assert not csv_path.exists()


# ---------------------------------------------------------------- with the real engine

ONLY = ["ex1_sync_vs_async", "ex2_telechargeur"]


def real_engine(
    target: Path, only: Sequence[str] | None = None, *, jobs: int | None = None
) -> Report:
    from grader import runner

    return runner.grade(target, only, jobs=jobs)


def copy_module(source: Path, student: Path, module: str) -> None:
    folder = student / "exercises"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, folder / f"{module}.py")


@pytest.fixture(scope="module")
def real_class(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    root = tmp_path_factory.mktemp("classe")
    ex1, ex2 = ONLY
    copy_module(ROOT / "solutions" / f"{ex1}.py", root / "correcte", ex1)
    copy_module(ROOT / "solutions" / f"{ex2}.py", root / "correcte", ex2)
    # Partial: one exercise done, the other not started.
    copy_module(ROOT / "solutions" / f"{ex1}.py", root / "partielle", ex1)
    copy_module(ROOT / "exercises" / f"{ex2}.py", root / "partielle", ex2)
    # Wrong: the downloads one after the other.
    copy_module(ROOT / "exercises" / f"{ex1}.py", root / "fausse", ex1)
    copy_module(
        ROOT / "tests" / "submissions" / ex2 / "sequentiel" / f"{ex2}.py", root / "fausse", ex2
    )
    copy_module(ROOT / "exercises" / f"{ex1}.py", root / "pas_commencee", ex1)
    copy_module(ROOT / "exercises" / f"{ex2}.py", root / "pas_commencee", ex2)
    # Opened, commented, saved: still not started, every function « à compléter ».
    for ex in ONLY:
        module = root / "pas_commencee" / "exercises" / f"{ex}.py"
        module.write_text(module.read_text(encoding="utf-8") + "\n# à faire demain\n", "utf-8")
    broken = root / "cassee" / "exercises"
    broken.mkdir(parents=True)
    (broken / f"{ex1}.py").write_text("def run_sync(:\n", encoding="utf-8")
    (broken / f"{ex2}.py").write_text("import asyncio\nasync def telecharger(\n", encoding="utf-8")
    hostile = root / "hostile" / "exercises"
    hostile.mkdir(parents=True)
    (hostile / f"{ex2}.py").write_text("while True:\n    pass\n", encoding="utf-8")
    (root / "vide" / "exercises").mkdir(parents=True)
    (root / "pas_une_copie").mkdir()

    out = io.StringIO()
    csv_path = root.parent / "notes.csv"
    status = batch.grade_class(
        root, csv_path, only=ONLY, jobs=2, grade=real_engine, progress=False, stream=out
    )
    assert status == 0, out.getvalue()
    return {row["eleve"]: row for row in read_csv(csv_path)}


def test_real_class_has_one_row_per_student(real_class: dict[str, dict[str, str]]) -> None:
    assert sorted(real_class) == [
        "cassee",
        "correcte",
        "fausse",
        "hostile",
        "partielle",
        "pas_commencee",
        "pas_une_copie",
        "vide",
    ]


def test_real_class_correct_and_partial(real_class: dict[str, dict[str, str]]) -> None:
    ex1, ex2 = ONLY
    correct, partial = real_class["correcte"], real_class["partielle"]
    assert (correct[ex1], correct[ex2], correct["total"], correct["probleme"]) == (
        "20",
        "20",
        "40",
        "",
    )
    assert (partial[ex1], partial[ex2], partial["total"], partial["probleme"]) == (
        "20",
        "0",
        "20",
        "",
    )


def test_real_class_wrong_submission(real_class: dict[str, dict[str, str]]) -> None:
    ex1, ex2 = ONLY
    wrong = real_class["fausse"]
    assert wrong[ex1] == "0"
    assert 0 < float(wrong[ex2]) < 20
    assert float(wrong["total"]) == float(wrong[ex2])
    assert wrong["probleme"] == ""


def test_real_class_flags(real_class: dict[str, dict[str, str]]) -> None:
    assert real_class["pas_commencee"]["probleme"] == (
        "copie non commencée : toutes les fonctions sont encore « à compléter »"
    )
    # Each exercise's own problem, named.
    assert real_class["cassee"]["probleme"] == (
        "ex1_sync_vs_async : ne s'importe pas (erreur de syntaxe dans ex1_sync_vs_async.py, "
        "ligne 1 : def run_sync(:) ; ex2_telechargeur : ne s'importe pas (erreur de syntaxe "
        "dans ex2_telechargeur.py, ligne 2 : async def telecharger()"
    )
    assert real_class["hostile"]["probleme"] == (
        "ex2_telechargeur : temps dépassé à chaque test (une boucle sans fin ?) ; "
        "module absent : ex1_sync_vs_async"
    )
    assert real_class["vide"]["probleme"] == NOWHERE
    assert real_class["pas_une_copie"]["probleme"] == NOWHERE
    for name in ("pas_commencee", "cassee", "hostile", "vide", "pas_une_copie"):
        assert real_class[name]["total"] == "0"
    # What ex1's EXPLICATION says reaches the teacher's sheet.
    assert real_class["correcte"]["explication"].startswith("La version synchrone attend")


def test_command_line_grades_a_class(tmp_path: Path) -> None:
    root = tmp_path / "classe"
    copy_module(ROOT / "solutions" / "ex3_timeouts.py", root / "alice", "ex3_timeouts")
    csv_path = tmp_path / "notes.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "grader",
            "--submissions",
            str(root),
            "--csv",
            str(csv_path),
            "--only",
            "ex3_timeouts",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # progress and summary go to stderr
    assert "[1/1] alice : 20/20" in done.stderr
    assert read_csv(csv_path) == [
        {"eleve": "alice", "ex3_timeouts": "20", "total": "20", "probleme": "", "explication": ""}
    ]


def test_each_student_gets_a_report_and_the_class_a_summary(tmp_path: Path) -> None:
    root = make_class(tmp_path / "classe", ["alice", "zero_bob", "x"])
    (root / "=rien").mkdir()  # not graded: its report says why, its file name is safe
    reports = tmp_path / "rapports"
    status, out = run_class(root, FakeEngine(), reports=reports)
    assert status == 0
    assert sorted(p.name for p in reports.iterdir()) == [
        "_rien.txt",
        "alice.html",
        "alice.json",
        "alice.txt",
        "x.html",
        "x.json",
        "x.txt",
        "zero_bob.html",
        "zero_bob.json",
        "zero_bob.txt",
    ]
    assert (reports / "_rien.txt").read_text(encoding="utf-8").startswith("Copie non corrigée : ")
    assert json.loads((reports / "alice.json").read_text(encoding="utf-8"))["score"] == 100
    assert "Classe : 3 copies corrigées sur 4" in out
    assert "médiane 100/100" in out
    assert "Les tests que la classe réussit le moins :" in out


def test_a_report_file_name_cannot_leave_the_folder() -> None:
    assert class_sheet.report_name("../../etc/passwd") == "_.._etc_passwd"
    assert class_sheet.report_name("élève 1") == "élève_1"
    assert class_sheet.report_name("...") == "_"


def test_two_folders_never_share_a_report_file() -> None:
    assert class_sheet.report_names(["a b", "a_b", "A_B", "c"]) == {
        "a b": "a_b",
        "a_b": "a_b-2",
        "A_B": "A_B-3",
        "c": "c",
    }


def test_a_copy_whose_kit_files_were_edited_is_flagged(tmp_path: Path) -> None:
    # A student may edit their repository's workflow or grader to report a
    # grade of their choosing: the class's sheet names what they changed.
    root = make_class(tmp_path / "classe", ["honnete", "triche"])
    planned = export.plan(assignment=None)
    for name in ("honnete", "triche"):
        for path in ("noxfile.py", ".github/workflows/classroom.yml", "grader/runner.py"):
            (root / name / path).parent.mkdir(parents=True, exist_ok=True)
            (root / name / path).write_bytes(planned[path].data)
    (root / "triche/grader/runner.py").write_text("SCORE = 100\n", encoding="utf-8")
    (root / "triche/.github/workflows/note.yml").write_text("on: push\n", encoding="utf-8")
    page = tmp_path / "classe.html"
    status, out = run_class(root, FakeEngine(), html=page)
    assert status == 0
    # Named in the summary and on the page too, not only in its row.
    named = "triche (.github/workflows/note.yml, grader/runner.py)"
    assert f"Fichiers du kit modifiés, note du dépôt à ne pas croire : {named}." in out
    assert named in page.read_text(encoding="utf-8") and "honnete (" not in out
    rows = {r["eleve"]: r for r in read_csv(tmp_path / "notes.csv")}
    assert rows["honnete"]["probleme"] == ""
    assert rows["triche"]["probleme"] == (
        "fichiers du kit modifiés ou ajoutés : .github/workflows/note.yml, grader/runner.py "
        "(la note du dépôt de l'élève a pu en être faussée ; celle-ci vient du kit)"
    )
    assert rows["triche"]["total"] == rows["honnete"]["total"]  # the kit's grade, untouched


# ---------------------------------------------------------------- the class's HTML page


class SequentialEngine(FakeEngine):
    """A `zero_` copy ran its calls one after the other: its failed tests have a timeline."""

    def __call__(
        self, target: Path, only: Sequence[str] | None = None, *, jobs: int | None = None
    ) -> Report:
        report = super().__call__(target, only, jobs=jobs)
        if not target.parent.name.startswith("zero"):
            return report
        drawn = Timeline(
            call="telecharger_tout({'a.zip': 2.0, 'b.zip': 1.0})",
            elapsed=3.0,
            spans=(
                Span("telecharger('a.zip', 2.0)", 0.0, 2.0),
                Span("telecharger('b.zip', 1.0)", 2.0, 3.0),
            ),
            printed=(2.0, 3.0),
        )
        return dataclasses.replace(
            report,
            exercises=tuple(
                dataclasses.replace(
                    e, tests=tuple(dataclasses.replace(t, timeline=drawn) for t in e.tests)
                )
                for e in report.exercises
            ),
        )


def test_the_class_page_renders_in_a_headless_browser(tmp_path: Path) -> None:
    root = make_class(tmp_path / "classe", ["alice", "zero_bob", "<b>eve"])
    page = tmp_path / "classe.html"
    status, out = run_class(root, SequentialEngine(), html=page)
    assert status == 0 and f"Page de la classe : {page}" in out
    text = page.read_text(encoding="utf-8")
    # A folder's name is text on the page, never markup; no network is needed.
    assert "&lt;b&gt;eve" in text and "<b>eve" not in text
    assert not re.search(
        r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//|url\(\s*[\"']?https?:|@import", text
    )
    # The same grades give the same page.
    again = tmp_path / "encore.html"
    run_class(root, SequentialEngine(), html=again)
    assert again.read_text(encoding="utf-8") == text
    # The copy whose timing tests failed has, under its line, the first
    # failed one's timeline of each exercise; the others have none.
    assert text.count('<tr class="chronologies">') == 1
    assert f"{len(IDS)} chronologies de test de temps échoués" in text

    dom, colours = browser.render(page, tmp_path)
    # Parsed by the browser: both charts, with a bar for each band and each
    # test, and zero_bob's timelines with both calls drawn.
    assert dom.count("<svg") == 2 + len(IDS), dom[:500]
    assert dom.count('class="appel"') == 2 * len(IDS)
    assert dom.count('class="rect reactive tooltip-trigger"') >= 2
    assert "3 copies corrigées sur 3" in dom
    # Drawn: text and coloured bars, not a blank page.
    assert colours > 50


def test_the_excel_sheet_opens_in_french_excel(tmp_path: Path) -> None:
    row = class_sheet.Row("élève=1", {"ex1_sync_vs_async": 12.5}, 12.5, 20.0, "à revoir ; vraiment")
    class_sheet.write_csv([row], ["ex1_sync_vs_async"], tmp_path / "notes.csv", excel=True)
    data = (tmp_path / "notes.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8 accents right
    text = data.decode("utf-8-sig")
    assert text.splitlines() == [
        "eleve;ex1_sync_vs_async;total;probleme;explication",
        'élève=1;12,5;12,5;"à revoir ; vraiment";',
    ]
    with (tmp_path / "notes.csv").open(encoding="utf-8-sig", newline="") as handle:
        [read] = list(csv.DictReader(handle, delimiter=";"))
    assert read["probleme"] == "à revoir ; vraiment"


# ---------------------------------------------------------------- the roster

ROSTER = """\
"identifier","github_username","github_id","name"
"alice@ecole.fr","alice","101","Alice Martin"
"bob@ecole.fr","Bob-Smith","102","Bob Smith"
"carole@ecole.fr","carole","103","Carole Petit"
"dave@ecole.fr","","",""
"""


def test_a_roster_names_each_repository_and_lists_every_student(tmp_path: Path) -> None:
    # A bulk clone: <assignment>-<github_username>; usernames ignore case and hold dashes.
    root = make_class(tmp_path / "classe", ["devoir-alice", "devoir-bob-smith", "devoir-mallory"])
    roster = tmp_path / "classroom_roster.csv"
    roster.write_text("\ufeff" + ROSTER, encoding="utf-8")
    status, _ = run_class(root, FakeEngine(), roster=roster)
    assert status == 0
    rows = read_csv(tmp_path / "notes.csv")
    assert list(rows[0])[:2] == ["eleve", "identifiant"]
    by_name = {r["eleve"]: r for r in rows}
    assert by_name["devoir-alice"]["identifiant"] == "alice@ecole.fr"
    assert by_name["devoir-bob-smith"]["identifiant"] == "bob@ecole.fr"
    assert by_name["devoir-mallory"]["identifiant"] == ""
    assert "dépôt absent du roster" in by_name["devoir-mallory"]["probleme"]
    # Students with no repository still get their row, 0 and the reason.
    assert by_name["carole"]["identifiant"] == "carole@ecole.fr"
    assert by_name["carole"]["total"] == "0"
    assert by_name["carole"]["probleme"] == "aucun dépôt de carole parmi les copies"
    assert by_name["dave@ecole.fr"]["probleme"].startswith("aucun compte GitHub lié")
    assert len(rows) == 5


def test_without_a_roster_the_sheet_has_no_identifier_column(tmp_path: Path) -> None:
    root = make_class(tmp_path / "classe", ["alice"])
    assert run_class(root, FakeEngine())[0] == 0
    assert "identifiant" not in read_csv(tmp_path / "notes.csv")[0]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "ne se lit pas"),
        ("nom,prenom\nA,B\n", "n'a pas de colonne identifier, github_username"),
    ],
)
def test_a_roster_that_is_not_one_is_one_line_and_status_2(
    tmp_path: Path, content: str | None, said: str
) -> None:
    root = make_class(tmp_path / "classe", ["alice"])
    roster = tmp_path / "roster.csv"
    if content is not None:
        roster.write_text(content, encoding="utf-8")
    status, out = run_class(root, FakeEngine(), roster=roster)
    assert status == 2
    assert len(out.splitlines()) == 1 and said in out
    assert not (tmp_path / "notes.csv").exists()
