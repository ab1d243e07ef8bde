"""A class graded in parts: `--shard K/N --rows FILE`, then `--merge-rows FILE... --csv F`.

The parts' arithmetic alone; then a small class graded in one run and in
parts merged, with a stand-in engine (`test_batch`'s, and the fixed report
of `conftest`, which has every status, hidden tests and diagnostics): the
merge must write the same files, byte for byte. Last, every record a merge
must refuse, each in one line with status 2. The workflow that runs the
parts on GitHub Actions is `test_grade_class_workflow.py`'s.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from test_batch import ROSTER, FakeEngine, make_class

from grader import cli
from grader.results import Report
from grader.tools import batch, merge, shards
from grader.tools.shards import Shard

# ---------------------------------------------------------------- the parts' arithmetic


@pytest.mark.parametrize("count", range(1, 9))
@pytest.mark.parametrize("size", [0, 1, 2, 5, 7, 16])
def test_every_folder_is_in_exactly_one_part(count: int, size: int) -> None:
    folders = [f"eleve{i:02}" for i in range(size)]
    parts = [shards.pick(folders, Shard(k, count)) for k in range(1, count + 1)]
    assert sorted(name for part in parts for name in part) == folders
    # Each part keeps the class's order, and the parts are as even as can be.
    assert all(part == sorted(part) for part in parts)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    if count > size:
        assert sum(1 for part in parts if not part) == count - size


def test_a_part_is_the_same_whatever_else_is_in_the_folder(tmp_path: Path) -> None:
    # The folders sorted by name, as `find_submissions` gives them, wherever the class is.
    from grader.tools.copies import find_submissions

    names = ["zoe", "Émile", "alice", "bob", "_x", "10", "9"]
    first, second = tmp_path / "un", tmp_path / "deux"
    for root, order in ((first, names), (second, list(reversed(names)))):
        for name in order:
            (root / name).mkdir(parents=True)
        (root / ".cache").mkdir()  # hidden: never a copy
        (root / "notes.txt").write_text("", encoding="utf-8")  # a file: never a copy
    for k in (1, 2, 3):
        picked = [
            [f.name for f in shards.pick(find_submissions(root), Shard(k, 3))]
            for root in (first, second)
        ]
        assert picked[0] == picked[1]
    assert [f.name for f in find_submissions(first)][:3] == ["10", "9", "_x"]


@pytest.mark.parametrize(("text", "shard"), [("1/1", Shard(1, 1)), (" 2 / 4 ", Shard(2, 4))])
def test_a_part_is_written_k_of_n(text: str, shard: Shard) -> None:
    assert shards.parse_shard(text) == shard
    assert str(shard) == text.replace(" ", "")


@pytest.mark.parametrize("value", ["0/2", "3/2", "1/0", "2", "a/b", "-1/2", "1/2/3", ""])
def test_a_bad_part_is_one_line_and_status_2(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_class(tmp_path / "classe", ["alice"])
    argv = ["--submissions", str(tmp_path / "classe"), "--rows", str(tmp_path / "l.json")]
    assert cli.main([*argv, f"--shard={value}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m grader : erreur : --shard : attend K/N")
    assert err.count("\n") == 1 and " ".join(f"pas « {value} »".split()) in err
    assert not (tmp_path / "l.json").exists()


# ---------------------------------------------------------------- a class, in one run and in parts

CLASS = [
    "=rien",  # not a copy: no module anywhere
    "a b",  # « a b » and « a_b » make the same report name: the second is « a_b-2 »
    "a_b",
    "devoir-alice",
    "devoir-bob-smith",
    "devoir-carole",
    "devoir-mallory",  # unknown to the roster, and adds a workflow of its own
    "zero_eve",
]
RICH = ("devoir-alice", "devoir-carole")


class Engine(FakeEngine):
    """test_batch's engine; the rich copies get conftest's fixed report."""

    def __init__(self, rich: Report) -> None:
        super().__init__()
        self.rich = rich

    def __call__(
        self, target: Path, only: Sequence[str] | None = None, *, jobs: int | None = None
    ) -> Report:
        report = super().__call__(target, only, jobs=jobs)
        return self.rich if target.parent.name in RICH else report


def build_class(root: Path) -> Path:
    make_class(root, [name for name in CLASS if name != "=rien"])
    (root / "=rien").mkdir()
    added = root / "devoir-mallory" / ".github" / "workflows" / "note.yml"
    added.parent.mkdir(parents=True)
    added.write_text("on: push\n", encoding="utf-8")
    return root


def outputs(folder: Path) -> dict[str, bytes]:
    """Every file written under `folder`, by its path there."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def one_run(root: Path, engine: Engine, out_dir: Path, **options: Any) -> str:
    out_dir.mkdir()
    stream = io.StringIO()
    status = batch.grade_class(
        root,
        out_dir / "notes.csv",
        grade=engine,
        progress=False,
        stream=stream,
        html=out_dir / "classe.html",
        reports=out_dir / "rapports",
        **options,
    )
    assert status == 0, stream.getvalue()
    return stream.getvalue()


def grade_parts(root: Path, engine: Engine, count: int, folder: Path) -> list[Path]:
    folder.mkdir()
    records = []
    for k in range(1, count + 1):
        record = folder / f"lignes-{k}.json"
        stream = io.StringIO()
        status = batch.grade_class(
            root,
            None,
            grade=engine,
            progress=False,
            stream=stream,
            shard=Shard(k, count),
            rows_path=record,
        )
        assert status == 0, stream.getvalue()
        assert stream.getvalue().splitlines()[-1].startswith(f"Partie {k}/{count} : ")
        records.append(record)
    return records


def merged(records: Sequence[Path], out_dir: Path, **options: Any) -> str:
    out_dir.mkdir()
    stream = io.StringIO()
    status = merge.merge_class(
        records,
        out_dir / "notes.csv",
        html=out_dir / "classe.html",
        reports=out_dir / "rapports",
        stream=stream,
        **options,
    )
    assert status == 0, stream.getvalue()
    return stream.getvalue()


@pytest.mark.parametrize("count", [1, 2, 3, 11])
@pytest.mark.parametrize("with_roster", [False, True], ids=["sans_roster", "roster"])
def test_merged_parts_write_what_one_run_writes(
    count: int, with_roster: bool, tmp_path: Path, report: Report
) -> None:
    root = build_class(tmp_path / "classe")
    options: dict[str, Any] = {}
    if with_roster:
        options["roster"] = tmp_path / "classroom_roster.csv"
        options["roster"].write_text("\ufeff" + ROSTER, encoding="utf-8")
    said_once = one_run(root, Engine(report), tmp_path / "une_fois", **options)
    engine = Engine(report)
    records = grade_parts(root, engine, count, tmp_path / "parties")
    # Each copy graded once, whatever the number of parts.
    assert sorted(name for name, _, _ in engine.calls) == sorted(CLASS[1:])
    said_merged = merged(records, tmp_path / "rassemblees", **options)

    expected = outputs(tmp_path / "une_fois")
    assert outputs(tmp_path / "rassemblees") == expected
    assert {"notes.csv", "classe.html", "rapports/a_b.txt", "rapports/a_b-2.txt"} <= set(expected)
    assert "rapports/_rien.txt" in expected and b"devoir-mallory" in expected["classe.html"]
    # The summary too, but for the files' own paths.
    assert said_once.endswith(said_merged.replace("rassemblees", "une_fois"))
    assert "Fichiers du kit modifiés, note du dépôt à ne pas croire : devoir-mallory" in said_merged


def test_merged_parts_write_the_excel_sheet_one_run_writes(tmp_path: Path, report: Report) -> None:
    root = build_class(tmp_path / "classe")
    one_run(root, Engine(report), tmp_path / "une_fois", excel=True)
    records = grade_parts(root, Engine(report), 2, tmp_path / "parties")
    merged(list(reversed(records)), tmp_path / "rassemblees", excel=True)  # in any order
    assert outputs(tmp_path / "rassemblees") == outputs(tmp_path / "une_fois")


def test_empty_parts_merge_fine(tmp_path: Path, report: Report) -> None:
    root = make_class(tmp_path / "classe", ["alice", "bob"])
    records = grade_parts(root, Engine(report), 4, tmp_path / "parties")
    contents = [json.loads(r.read_text(encoding="utf-8")) for r in records]
    assert [len(c["rows"]) for c in contents] == [1, 1, 0, 0]
    assert all(c["folders"] == ["alice", "bob"] for c in contents)
    said = merged(records, tmp_path / "rassemblees")
    assert "2 copies corrigées, notes dans" in said
    assert (tmp_path / "rassemblees" / "notes.csv").read_text(encoding="utf-8").count("\n") == 3


def test_a_part_without_a_csv_writes_only_its_record(tmp_path: Path, report: Report) -> None:
    root = make_class(tmp_path / "classe", ["alice", "bob", "carole"])
    (record,) = grade_parts(root, Engine(report), 1, tmp_path / "parties")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["classe", "parties"]
    data = json.loads(record.read_text(encoding="utf-8"))
    assert (data["@"], data["version"], data["kit"]) == (
        "ShardRecord",
        shards.RECORD_VERSION,
        shards.kit_version(),
    )
    assert (data["assignment"], data["classe"], data["shard"], data["shards"]) == (
        "fin-de-chapitre",
        "classe",
        1,
        1,
    )
    # The report of each copy, as the protocol's codec writes records.
    assert data["rows"][0]["report"]["@"] == "Report"


# ---------------------------------------------------------------- what a merge refuses


@pytest.fixture
def parts(tmp_path: Path, report: Report) -> list[Path]:
    root = make_class(tmp_path / "classe", ["alice", "bob", "carole"])
    return grade_parts(root, Engine(report), 3, tmp_path / "parties")


def edit(record: Path, **fields: Any) -> None:
    data = json.loads(record.read_text(encoding="utf-8"))
    data.update(fields)
    record.write_text(json.dumps(data), encoding="utf-8")


def merge_cli(
    records: Sequence[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], *more: str
) -> str:
    csv_path = tmp_path / "notes.csv"
    code = cli.main(
        ["--merge-rows", *map(str, records), "--csv", str(csv_path), *more],
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("python -m grader : erreur : ") and err.count("\n") == 1, err
    assert not csv_path.exists()
    return err


def test_the_command_line_merges_the_parts(
    parts: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path = tmp_path / "notes.csv"
    code = cli.main(["--merge-rows", *map(str, parts), "--csv", str(csv_path)])
    assert code == 0, capsys.readouterr().err
    assert "3 copies corrigées" in capsys.readouterr().err
    assert [line.split(",")[0] for line in csv_path.read_text().splitlines()[1:]] == [
        "alice",
        "bob",
        "carole",
    ]


def test_a_missing_record_is_refused(
    parts: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = merge_cli([*parts[:2], tmp_path / "absent.json"], tmp_path, capsys)
    assert "absent.json » ne se lit pas (FileNotFoundError)" in err


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "JSON illisible"),
        (b'{"rows": [', "JSON illisible"),
        (b"\xff\xfe", "ne se lit pas (UnicodeDecodeError)"),
        (b"[1, 2]", "n'est pas un fichier de lignes écrit par --rows"),
        (b'{"eleve": "alice"}', "n'est pas un fichier de lignes écrit par --rows"),
    ],
)
def test_a_file_that_is_no_record_is_refused(
    parts: list[Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    said: str,
) -> None:
    parts[1].write_bytes(content)
    assert said in merge_cli(parts, tmp_path, capsys)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"rows": "rien"}, "lignes-2.json » est abîmé (ShardRecord.rows : liste attendue)"),
        ({"shard": 3}, "ses lignes ne sont pas celles de la partie 3/3"),
        ({"shard": 4}, "abîmé (partie 4/3)"),
        ({"folders": ["bob", "alice", "carole"]}, "abîmé (liste des copies)"),
        ({"exercises": ["ex1_sync_vs_async"]}, "n'ont pas les colonnes de ses exercices"),
        ({"en_trop": 1}, "abîmé (champ inconnu dans ShardRecord)"),
    ],
)
def test_a_damaged_record_is_refused(
    parts: list[Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, Any],
    said: str,
) -> None:
    edit(parts[1], **change)
    assert said in merge_cli(parts, tmp_path, capsys)


def test_a_row_of_the_wrong_shape_is_refused(
    parts: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(parts[0].read_text(encoding="utf-8"))
    data["rows"][0]["report"]["exercises"][0]["tests"][0]["status"] = "reussi"
    parts[0].write_text(json.dumps(data), encoding="utf-8")
    assert "abîmé (TestResult.status : valeur inconnue)" in merge_cli(parts, tmp_path, capsys)


def test_a_record_of_another_kit_or_layout_is_refused(
    parts: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(parts[2], kit="0.9+0123456789abcdef")
    err = merge_cli(parts, tmp_path, capsys)
    assert "lignes-3.json » a été corrigé par une autre version du kit (0.9+0123456789abcdef" in err
    edit(parts[2], version=2)
    assert "est un fichier de lignes de format 2 ; ce correcteur lit le format 1" in merge_cli(
        parts, tmp_path, capsys
    )


def test_a_record_of_another_assignment_or_class_is_refused(
    parts: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = merge_cli(parts, tmp_path, capsys, "--assignment", "approfondissements")
    assert "est une correction du devoir fin-de-chapitre, pas de approfondissements" in err
    edit(parts[1], assignment="approfondissements")
    err = merge_cli(parts, tmp_path, capsys)
    assert "lignes-2.json » est une correction du devoir approfondissements" in err
    edit(parts[1], assignment="fin-de-chapitre", classe="autre")
    assert "ne sont pas de la même classe" in merge_cli(parts, tmp_path, capsys)


def test_every_part_once(
    parts: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], report: Report
) -> None:
    err = merge_cli(parts[:1], tmp_path, capsys)
    assert "il manque les parties 2/3, 3/3 de la classe « classe »" in err
    assert "il manque la partie 3/3" in merge_cli(parts[:2], tmp_path, capsys)
    err = merge_cli([*parts, parts[1]], tmp_path, capsys)
    assert "la partie 2/3 est donnée deux fois" in err
    # Parts counted another way: the class's part 1 of 2 with its parts of 3.
    (other,) = grade_parts(tmp_path / "classe", Engine(report), 1, tmp_path / "autres")
    err = merge_cli([*parts, other], tmp_path, capsys)
    assert "est la partie 1/1" in err and "se comptent de la même façon" in err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--merge-rows", "l.json"], "--merge-rows va avec --csv"),
        (
            ["--merge-rows", "l.json", "--csv", "n.csv", "--submissions", "classe", "--jobs", "2"],
            "--merge-rows ne se combine pas avec --submissions, --jobs",
        ),
        (["--merge-rows", "--csv", "n.csv"], "--merge-rows attend"),
        (["--shard", "1/2", "--rows", "l.json"], "--rows va avec --submissions"),
        (["--submissions", "classe", "--shard", "1/2"], "--submissions et --csv vont ensemble"),
        (
            ["--submissions", "classe", "--rows", "l.json", "--shard", "1/2", "--roster", "r.csv"],
            "--roster ne se combine pas avec --shard",
        ),
        (
            ["--submissions", "classe", "--rows", "absent/l.json"],
            "impossible d'écrire « absent/l.json »",
        ),
    ],
)
def test_usage_errors(
    argv: list[str],
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_class(tmp_path / "classe", ["alice"])
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m grader : erreur : ") and err.count("\n") == 1, err
    assert said in err


def test_the_kit_version_changes_with_any_file_of_the_grader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under a folder whose name starts with a dot (`.kit`, `~/.local`) too.
    kit = tmp_path / ".kit" / "grader"
    (kit / "suites").mkdir(parents=True)
    (kit / "exercises.toml").write_text("points = 4\n", encoding="utf-8")
    (kit / "suites" / "test_ex1.py").write_text("", encoding="utf-8")
    monkeypatch.setattr(shards, "_GRADER", kit)
    before = shards.kit_version()
    # Neither a cache nor an editor's file changes it.
    (kit / "__pycache__").mkdir()
    (kit / "__pycache__" / "x.cpython-312.pyc").write_bytes(b"\0")
    (kit / ".exercises.toml.swp").write_bytes(b"\0")
    assert shards.kit_version() == before
    (kit / "exercises.toml").write_text("points = 5\n", encoding="utf-8")
    assert shards.kit_version() != before
