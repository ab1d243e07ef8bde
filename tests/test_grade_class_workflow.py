"""The instructors' workflow, `.github/workflows/grade-class.yml`: a class graded in parts.

Its shape is checked (least permissions, actions pinned by commit, no
credentials left on disk, no form value inside a script, the token kept away
from the step where students' code runs), a GitHub Actions linter checks it
(`test_classroom_workflow.py`'s test, over both workflows), and its own
steps are run here, as the file has them and with the environment it gives
them, against a fake organisation of git repositories: list, clone and grade
each part, merge. The merged files must be those one run over the whole
class writes, byte for byte. Only what GitHub itself does is played by the
test: the matrix, the artifacts, `gh` (a stand-in that lists and clones the
fake organisation's repositories).
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_batch import ROSTER
from test_classroom_workflow import Step, parse_steps

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "grade-class.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")
TOKEN = "${{ secrets.CLASSROOM_TOKEN }}"
# The class's organisation: the form's, the variable's, or the kit's own.
ORGANISATION = "inputs.organisation || vars.CLASSROOM_ORG || github.repository_owner"


@dataclass
class Job:
    name: str
    text: str
    steps: list[Step]

    def step(self, name: str) -> Step:
        (step,) = [s for s in self.steps if s.get("name") == name]
        return step

    def using(self, action: str) -> list[Step]:
        return [s for s in self.steps if s.get("uses").split("@")[0] == action]


def parse_jobs(text: str) -> dict[str, Job]:
    """Each job of the workflow, its text and its steps (`parse_steps`, job by job)."""
    lines = text.splitlines()
    start = lines.index("jobs:")
    heads = [i for i in range(start + 1, len(lines)) if re.match(r"^  [\w-]+:$", lines[i])]
    jobs = {}
    for head, end in zip(heads, [*heads[1:], len(lines)], strict=True):
        name = lines[head].strip().rstrip(":")
        body = "\n".join(lines[head:end])
        jobs[name] = Job(name, body, parse_steps(body))
    return jobs


@pytest.fixture(scope="module")
def text() -> str:
    return WORKFLOW.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def jobs(text: str) -> dict[str, Job]:
    return parse_jobs(text)


def all_steps(jobs: dict[str, Job]) -> list[Step]:
    return [step for job in jobs.values() for step in job.steps]


# ---------------------------------------------------------------- shape


def test_run_by_hand_with_a_form(text: str) -> None:
    assert re.search(r"^on:\n  workflow_dispatch:\n    inputs:\n", text, re.MULTILINE)
    for name in ("prefixe", "depots", "organisation", "devoir", "parties", "roster"):
        assert re.search(rf"^      {name}:$", text, re.MULTILINE), name
    # A number of parts GitHub itself checks: a choice, never free text.
    assert re.search(r"^      parties:\n(        .*\n)*        type: choice$", text, re.MULTILINE)


def test_three_jobs_in_order(jobs: dict[str, Job]) -> None:
    assert list(jobs) == ["lister", "corriger", "rassembler"]
    assert "    needs: lister\n" in jobs["corriger"].text
    assert "    needs: [lister, corriger]\n" in jobs["rassembler"].text
    # One grading job per part, the parts counted by the listing job.
    assert "partie: ${{ fromJSON(needs.lister.outputs.parties) }}" in jobs["corriger"].text
    assert "fail-fast: false" in jobs["corriger"].text


def test_least_permissions(text: str, jobs: dict[str, Job]) -> None:
    assert re.search(r"^permissions: \{\}$", text, re.MULTILINE)
    assert "\n    permissions: {}\n" in jobs["lister"].text
    for name in ("corriger", "rassembler"):
        assert "\n    permissions:\n      contents: read\n    " in jobs[name].text, name


def test_actions_are_pinned_by_commit(jobs: dict[str, Job]) -> None:
    # This workflow holds a token on the class's repositories: an action is
    # named by its commit, which cannot move, with its version beside it.
    uses = [step.get("uses") for step in all_steps(jobs) if step.get("uses")]
    assert len(uses) == 9
    assert all(PINNED.match(use) for use in uses), uses
    # One commit per action, the same in every job.
    by_action: dict[str, set[str]] = {}
    for use in uses:
        action, _, ref = use.partition("@")
        by_action.setdefault(action, set()).add(ref)
    assert all(len(refs) == 1 for refs in by_action.values()), by_action


def test_no_credentials_left_on_disk(jobs: dict[str, Job]) -> None:
    checkouts = [s for job in jobs.values() for s in job.using("actions/checkout")]
    assert len(checkouts) == 2
    assert all(s.maps["with"]["persist-credentials"] == "false" for s in checkouts)
    # No solutions or kit's tests where the students' code runs.
    (kit,) = jobs["corriger"].using("actions/checkout")
    assert kit.maps["with"]["sparse-checkout"] == "|"
    assert re.search(r"sparse-checkout: \|\n\s+grader\n\s+template\n", jobs["corriger"].text)


def test_no_form_value_inside_a_script(jobs: dict[str, Job]) -> None:
    # Every value of the form, of a variable or of another job reaches a
    # script through its environment: never pasted into the script's text.
    runs = [step.get("run") for step in all_steps(jobs) if step.get("run")]
    assert len(runs) == 7
    assert not [run for run in runs if "${{" in run]


def test_the_token_never_reaches_the_students_code(jobs: dict[str, Job]) -> None:
    with_token = [
        (job.name, step.get("name"))
        for job in jobs.values()
        for step in job.steps
        if TOKEN in step.maps.get("env", {}).values() or TOKEN in str(step.maps.get("with"))
    ]
    assert with_token == [
        ("lister", "Lister les dépôts"),
        ("corriger", "Cloner les dépôts de la classe"),
    ]
    assert "secrets." not in jobs["rassembler"].text
    grading = jobs["corriger"].step("Corriger la partie")
    corriger = jobs["corriger"].steps
    assert corriger.index(jobs["corriger"].step("Cloner les dépôts de la classe")) < corriger.index(
        grading
    )


def test_grades_each_part_in_the_sandbox_and_merges_them(jobs: dict[str, Job]) -> None:
    corriger = jobs["corriger"]
    grading = corriger.step("Corriger la partie")
    command = grading.get("run")
    assert command.startswith("python -m grader --submissions ")
    assert '--shard "$PARTIE/$PARTIES"' in command and "--rows " in command
    assert command.rstrip().endswith("--sandbox require")
    assert grading.maps["env"]["PARTIE"] == "${{ matrix.partie }}"
    (install,) = [s for s in corriger.steps if "apt-get install" in s.get("run")]
    assert "bubblewrap" in install.get("run")
    assert "apparmor_restrict_unprivileged_userns=0" in install.get("run")
    assert corriger.steps.index(install) < corriger.steps.index(grading)
    # Run from the kit's checkout: its own grader and hidden tests.
    assert grading.get("working-directory") == "kit"
    merging = jobs["rassembler"].step("Rassembler les parties")
    assert "python -m grader --merge-rows " in merging.get("run")
    assert merging.get("working-directory") == "kit"
    (upload,) = [
        s
        for s in jobs["rassembler"].using("actions/upload-artifact")
        if s.maps["with"]["name"] == "notes-de-la-classe"
    ]
    assert upload.maps["with"]["if-no-files-found"] == "error"


# ---------------------------------------------------------------- the steps, run here


def git_repository(folder: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("-c", "user.name=Élève", "-c", "user.email=eleve@ecole.fr", "commit", "-q", "-m", "rendu")


def fake_organisation(root: Path) -> Path:
    """The class's organisation: one git repository per student, and two that are not copies."""
    submissions = ROOT / "tests" / "submissions"
    copies = {
        "devoir-alice": {
            "ex2_telechargeur": ROOT / "solutions" / "ex2_telechargeur.py",
            "ex3_timeouts": ROOT / "solutions" / "ex3_timeouts.py",
        },
        # Downloads one after the other: timing tests fail, with their timelines.
        "devoir-bob": {
            "ex3_timeouts": submissions / "ex3_timeouts" / "sequentiel" / "ex3_timeouts.py"
        },
        # time.sleep on the loop: a diagnostic.
        "devoir-carole": {
            "ex3_timeouts": submissions / "ex3_timeouts" / "time_sleep" / "ex3_timeouts.py"
        },
        "devoir-dave": {"ex2_telechargeur": ROOT / "exercises" / "ex2_telechargeur.py"},
        "devoir-eve": {"ex2_telechargeur": ROOT / "solutions" / "ex2_telechargeur.py"},
        # Not the assignment's: the template, another assignment's repository.
        "modele-devoir": {"ex2_telechargeur": ROOT / "solutions" / "ex2_telechargeur.py"},
        "devoirs-autre": {"ex2_telechargeur": ROOT / "solutions" / "ex2_telechargeur.py"},
    }
    for name, modules in copies.items():
        folder = root / name / "exercises"
        folder.mkdir(parents=True)
        for module, source in modules.items():
            shutil.copyfile(source, folder / f"{module}.py")
    # A workflow of Eve's own: her repository's grade may be forged.
    added = root / "devoir-eve" / ".github" / "workflows" / "note.yml"
    added.parent.mkdir(parents=True)
    added.write_text("on: push\n", encoding="utf-8")
    for name in copies:
        git_repository(root / name)
    return root


# What GitHub's `gh` does for the workflow, on the fake organisation: it lists
# the organisation's repositories (`--jq '.[].name'`) and clones one of them,
# passing git the options after `--`. Each call is written down, with whether
# it had a token.
FAKE_GH = """#!/bin/sh
echo "$* token=${GH_TOKEN:+oui}" >> "$GH_CALLS"
case "$*" in
  "api --paginate orgs/ecole/repos?per_page=100&type=all --jq .[].name") ls "$FAKE_ORG" ;;
  "repo clone ecole/"*)
    source="$3"; destination="$4"; shift 4; [ "$1" = "--" ] && shift
    exec git clone "$@" "file://$FAKE_ORG/${source#ecole/}" "$destination" ;;
  *) echo "gh factice : appel inattendu : $*" >&2; exit 1 ;;
esac
"""


@dataclass
class Runner:
    """Plays GitHub's part: each job on a fresh workspace, the steps' env, the artifacts."""

    tmp: Path
    context: dict[str, str]  # each expression the workflow uses -> its value here
    artifacts: Path

    def __post_init__(self) -> None:
        shims = self.tmp / "bin"
        shims.mkdir()
        # `python` on the PATH is this interpreter, as setup-python makes it.
        (shims / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', "utf-8")
        (shims / "gh").write_text(FAKE_GH, encoding="utf-8")
        for shim in shims.iterdir():
            shim.chmod(0o755)
        self.shims = shims
        self.gh_calls = self.tmp / "gh_calls.txt"

    def resolve(self, value: str, extra: Mapping[str, str] | None = None) -> str:
        scope = {**self.context, **(extra or {})}
        # An expression the test does not know fails here: the test follows the file.
        return EXPRESSION.sub(lambda m: scope[m[1]], value)

    @property
    def current(self) -> Path:
        # Every runner has the same workspace path (/home/runner/work/…): a
        # copy's report, which names the folder graded, is the same on any.
        return self.tmp / "runner"

    def workspace(self, name: str) -> Path:
        """A fresh runner for job `name`; the previous one's workspace is kept aside."""
        self._put_aside()
        workspace = self.current
        workspace.mkdir()
        (workspace / ".job").write_text(name, encoding="utf-8")
        # The kit's checkout (`path: kit`): this kit.
        (workspace / "kit").symlink_to(ROOT, target_is_directory=True)
        return workspace

    def back_to(self, name: str) -> Path:
        """The workspace job `name` left, back at its place."""
        self._put_aside()
        (self.tmp / "jobs" / name).rename(self.current)
        return self.current

    def _put_aside(self) -> None:
        if self.current.exists():
            done = (self.current / ".job").read_text(encoding="utf-8")
            (self.tmp / "jobs").mkdir(exist_ok=True)
            self.current.rename(self.tmp / "jobs" / done)

    def run(
        self, step: Step, workspace: Path, extra: Mapping[str, str] | None = None
    ) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
        """The step's script, as the runner runs it (`bash -e`); its outputs."""
        output = workspace / ".github_output"
        output.touch()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "GITHUB_"))}
        env.pop("GH_TOKEN", None)
        env.update(
            PATH=f"{self.shims}{os.pathsep}{env.get('PATH', '')}",
            GITHUB_WORKSPACE=str(workspace),
            GITHUB_OUTPUT=str(output),
            GITHUB_STEP_SUMMARY=str(workspace / ".step_summary.md"),
            GITHUB_ACTIONS="true",
            CI="true",
            # The fake gh's own, which no step sets.
            FAKE_ORG=str(self.tmp / "ecole"),
            GH_CALLS=str(self.gh_calls),
        )
        env.update({k: self.resolve(v, extra) for k, v in step.maps.get("env", {}).items()})
        done = subprocess.run(
            ["bash", "-e", "-c", step.get("run")],
            cwd=workspace / step.get("working-directory"),
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{step.get('name')} :\n{done.stdout}\n{done.stderr}"
        lines = output.read_text(encoding="utf-8").splitlines()
        return done, dict(line.split("=", 1) for line in lines)

    def upload(self, step: Step, workspace: Path, extra: Mapping[str, str] | None = None) -> None:
        options = step.maps["with"]
        name, path = self.resolve(options["name"], extra), self.resolve(options["path"], extra)
        source = workspace / path
        assert source.exists(), f"{name} : {path} absent"
        if source.is_dir():
            shutil.copytree(source, self.artifacts / name)
        else:
            (self.artifacts / name).mkdir(parents=True)
            shutil.copyfile(source, self.artifacts / name / source.name)

    def download(self, step: Step, workspace: Path) -> None:
        options = step.maps["with"]
        target = workspace / options.get("path", "")
        target.mkdir(parents=True, exist_ok=True)
        if "name" in options:
            chosen = [self.artifacts / options["name"]]
        else:
            assert options["merge-multiple"] == "true"
            chosen = [
                a for a in self.artifacts.iterdir() if fnmatch.fnmatch(a.name, options["pattern"])
            ]
        for artifact in chosen:
            shutil.copytree(artifact, target, dirs_exist_ok=True)


def outputs(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_workflow_grades_a_fake_class(jobs: dict[str, Job], tmp_path: Path) -> None:
    fake_organisation(tmp_path / "ecole")
    roster = tmp_path / "classroom_roster.csv"
    roster.write_text(ROSTER.replace("Bob-Smith", "bob"), encoding="utf-8")
    parts = 3
    github = Runner(
        tmp_path,
        {
            "secrets.CLASSROOM_TOKEN": "jeton-factice",
            ORGANISATION: "ecole",
            "inputs.prefixe": "devoir",
            "inputs.depots": "",
            "inputs.parties": str(parts),
            "inputs.devoir": "",
            "inputs.roster": str(roster),
        },
        tmp_path / "artefacts",
    )

    # The listing job.
    lister = jobs["lister"]
    workspace = github.workspace("lister")
    done, said = github.run(lister.step("Lister les dépôts"), workspace)
    assert said == {"classe": "devoir", "parties": "[1,2,3]"}
    names = ["devoir-alice", "devoir-bob", "devoir-carole", "devoir-dave", "devoir-eve"]
    assert (workspace / "depots.txt").read_text(encoding="utf-8").split() == names
    github.upload(lister.step("Garder la liste des dépôts"), workspace)
    github.context["needs.lister.outputs.classe"] = said["classe"]

    # One grading job per part, each on its own runner.
    corriger = jobs["corriger"]
    for part in range(1, parts + 1):
        matrix = {"matrix.partie": str(part)}
        workspace = github.workspace(f"partie-{part}")
        github.download(corriger.step("Récupérer la liste des dépôts"), workspace)
        done, _ = github.run(corriger.step("Cloner les dépôts de la classe"), workspace, matrix)
        # The commit graded of each repository, in the job's log.
        assert re.findall(r"^(\S+) : commit [0-9a-f]{40}$", done.stdout, re.MULTILINE) == names
        # Every part clones the whole class: each sees the same folders, and
        # nothing of git's where the students' code runs.
        copies = workspace / "copies" / "devoir"
        assert sorted(p.name for p in copies.iterdir()) == names
        assert not list(copies.glob("*/.git"))
        done, _ = github.run(corriger.step("Corriger la partie"), workspace, matrix)
        assert f"Partie {part}/{parts} : " in done.stderr.splitlines()[-1]
        github.upload(corriger.step("Garder les lignes de la partie"), workspace, matrix)
    # The token only where gh needs it; every clone shallow, without symlinks.
    calls = github.gh_calls.read_text(encoding="utf-8").splitlines()
    assert len(calls) == 1 + parts * len(names)
    assert all(call.endswith(" token=oui") for call in calls)
    assert all("--depth 1 --config core.symlinks=false" in c for c in calls if "clone" in c)

    # The merge.
    rassembler = jobs["rassembler"]
    workspace = github.workspace("rassembler")
    github.download(rassembler.step("Récupérer les lignes de chaque partie"), workspace)
    assert sorted(p.name for p in (workspace / "lignes").iterdir()) == [
        f"lignes-{k}.json" for k in range(1, parts + 1)
    ]
    done, _ = github.run(rassembler.step("Rassembler les parties"), workspace)
    github.upload(rassembler.step("Garder les notes de la classe"), workspace)
    merged = outputs(github.artifacts / "notes-de-la-classe")
    assert "artefact « notes-de-la-classe »" in (workspace / ".step_summary.md").read_text("utf-8")

    # The same class, graded in one run, where the parts graded it.
    class_folder = github.back_to("partie-1") / "copies" / "devoir"
    alone = tmp_path / "une_fois"
    alone.mkdir()
    reference = subprocess.run(
        [
            *(sys.executable, "-m", "grader", "--submissions", str(class_folder)),
            *("--csv", str(alone / "notes.csv"), "--html", str(alone / "classe.html")),
            *("--reports", str(alone / "rapports"), "--roster", str(roster)),
            *("--sandbox", "require"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert reference.returncode == 0, reference.stderr
    assert merged == outputs(alone)
    assert set(merged) >= {"notes.csv", "classe.html", "rapports/devoir-bob.html"}
    said = done.stderr.replace(str(workspace / "notes-de-la-classe"), str(alone))
    assert said in reference.stderr

    sheet = merged["notes.csv"].decode("utf-8")
    assert sheet.startswith("eleve,identifiant,ex1_sync_vs_async,")
    rows = {line.split(",")[0]: line for line in sheet.splitlines()[1:]}
    assert list(rows)[:5] == names
    assert "fichiers du kit modifiés ou ajoutés : .github/workflows/note.yml" in rows["devoir-eve"]
    assert rows["devoir-carole"].startswith("devoir-carole,carole@ecole.fr,")
    # Bob's failed timing tests are drawn in his report: the Report crossed whole.
    assert "<svg" in merged["rapports/devoir-bob.html"].decode("utf-8")


def test_the_listing_takes_a_list_of_repositories_and_refuses_a_bad_name(
    jobs: dict[str, Job], tmp_path: Path
) -> None:
    step = jobs["lister"].step("Lister les dépôts")
    context = {
        "secrets.CLASSROOM_TOKEN": "jeton-factice",
        ORGANISATION: "ecole",
        "inputs.prefixe": "",
        "inputs.depots": "tp-zoe, tp-yann\ttp-zoe",
        "inputs.parties": "2",
    }
    github = Runner(tmp_path, context, tmp_path / "artefacts")
    workspace = github.workspace("liste")
    _, said = github.run(step, workspace)
    assert said == {"classe": "classe", "parties": "[1,2]"}
    assert (workspace / "depots.txt").read_text(encoding="utf-8") == "tp-yann\ntp-zoe\n"
    assert not github.gh_calls.exists()  # nothing to ask GitHub

    refusals = (
        ("inputs.depots", "tp-zoe ../../etc", "Nom de dépôt invalide : ../../etc"),
        ("inputs.depots", "$(id)", "Nom de dépôt invalide : $(id)"),
        (ORGANISATION, "", "Organisation absente ou invalide"),
        ("secrets.CLASSROOM_TOKEN", "", "Le secret CLASSROOM_TOKEN doit être défini"),
    )
    for number, (field, value, said_error) in enumerate(refusals):
        github.context = {**context, field: value}
        workspace = github.workspace(f"refus-{number}")
        env = {k: github.resolve(v) for k, v in step.maps["env"].items()}
        done = subprocess.run(
            ["bash", "-e", "-c", step.get("run")],
            cwd=workspace,
            env={**os.environ, **env, "GITHUB_OUTPUT": str(workspace / "sortie")},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 1, field
        assert said_error in done.stdout, done.stdout
        assert not (workspace / "sortie").exists()


def test_the_students_never_receive_it() -> None:
    # The kit's own .github/ stays in the kit: the students' repository has
    # the template's workflow only (`export.DROPPED_FOLDERS`).
    from grader.tools import export

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("l'export part d'un dépôt git du kit, et git est absent ici")
    workflows = [p for p in export.plan() if p.startswith(".github/")]
    assert workflows == [".github/workflows/classroom.yml"]
    assert export.is_dropped(".github/workflows/grade-class.yml")
