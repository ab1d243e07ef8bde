"""The class's options of ``python -m grader``: ``--submissions``, ``--shard``, ``--merge-rows``.

Grading one copy is `grader.cli`'s; grading a class (`grader.tools.batch`),
one part of it (`grader.tools.shards`) or merging the parts
(`grader.tools.merge`) is checked here, option against option, before
anything is graded. The tools are imported only when a class is graded:
usage errors and ``--help`` answer at once.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from grader.usage import UsageError

if TYPE_CHECKING:
    from grader.isolation.sandbox import Sandbox
    from grader.tools.shards import Shard


def add_class_options(parser: argparse.ArgumentParser) -> None:
    """The class's options, in two groups of the grader's help."""
    batch = parser.add_argument_group("correction d'une classe")
    batch.add_argument(
        "--submissions",
        metavar="DOSSIER",
        help="dossier avec une copie par élève ; à utiliser avec --csv",
    )
    batch.add_argument("--csv", metavar="FICHIER", help="fichier CSV des notes de la classe")
    batch.add_argument(
        "--excel",
        action="store_true",
        help="CSV pour Excel en français : « ; » entre les cellules, virgule décimale, BOM",
    )
    batch.add_argument(
        "--html",
        metavar="FICHIER",
        help="écrit la page HTML de la classe (graphiques des totaux et de chaque test)",
    )
    batch.add_argument(
        "--roster",
        metavar="FICHIER",
        help="roster exporté de GitHub Classroom : ajoute la colonne identifiant, une ligne par "
        "élève du roster",
    )
    batch.add_argument(
        "--reports",
        metavar="DOSSIER",
        help="écrit dans ce dossier le rapport de chaque élève (texte et JSON), à lui renvoyer",
    )
    parts = parser.add_argument_group("correction d'une classe en plusieurs parties")
    parts.add_argument(
        "--shard",
        metavar="K/N",
        type=_shard,
        help="ne corrige que la K-ième des N parties de la classe (les dossiers triés par nom, "
        "un sur N) ; avec --rows",
    )
    parts.add_argument(
        "--rows",
        metavar="FICHIER",
        help="écrit les lignes corrigées dans ce fichier (JSON), pour --merge-rows",
    )
    parts.add_argument(
        "--merge-rows",
        metavar="FICHIER",
        nargs="+",
        help="rassemble les fichiers de lignes de toutes les parties en une classe : avec --csv, "
        "et --html, --reports, --roster, --excel comme pour --submissions",
    )


def _shard(text: str) -> Shard:
    from grader.tools.shards import parse_shard

    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _conflicting(args: argparse.Namespace, *names: str) -> list[str]:
    """The options among `names` given on the command line (`--public-only`: a flag)."""
    return [
        name
        for name in names
        if getattr(args, name.removeprefix("--").replace("-", "_")) not in (None, False)
    ]


# What grades one copy, not a class: never with --submissions or --merge-rows.
_ONE_COPY = ("--target", "--format", "--output", "--min-score", "--timing", "--public-only")


def grade_class_command(
    args: argparse.Namespace,
    only: list[str] | None,
    sandbox: Callable[[argparse.Namespace], Sandbox],
) -> int:
    """`--submissions DIR --csv F` (or `--rows F`, with `--shard K/N`): grade a class."""
    if args.submissions is None and args.csv is None:
        given = "--rows" if args.rows is not None else "--shard"
        raise UsageError(f"{given} va avec --submissions, le dossier des copies de la classe")
    if args.submissions is None or (args.csv is None and args.rows is None):
        raise UsageError(
            "--submissions et --csv vont ensemble : donnez les deux (ou --rows à la place de "
            "--csv pour une partie de la classe)"
        )
    conflicting = _conflicting(args, *_ONE_COPY)
    if conflicting:
        raise UsageError(f"--submissions ne se combine pas avec {', '.join(conflicting)}")
    # The folder, the outputs and a roster with a part are checked by
    # grade_class itself, in the same words for every caller.
    submissions = Path(args.submissions)
    chosen = sandbox(args)
    try:
        from grader.tools.batch import grade_class
    except ImportError as exc:
        raise UsageError(
            f"la correction d'une classe n'est pas disponible ({type(exc).__name__} : {exc})"
        ) from exc
    reports = Path(args.reports) if args.reports is not None else None
    return grade_class(
        submissions,
        Path(args.csv) if args.csv is not None else None,
        only=only,
        jobs=args.jobs,
        sandbox=chosen,
        reports=reports,
        assignment=args.assignment,
        html=Path(args.html) if args.html is not None else None,
        excel=args.excel,
        roster=Path(args.roster) if args.roster is not None else None,
        shard=args.shard,
        rows_path=Path(args.rows) if args.rows is not None else None,
    )


def merge_class_command(args: argparse.Namespace) -> int:
    """`--merge-rows PART... --csv F`: the class's files from its parts' records."""
    conflicting = _conflicting(args, "--submissions", "--shard", "--rows", "--only", "--jobs")
    conflicting += _conflicting(args, *_ONE_COPY)
    if conflicting:
        raise UsageError(f"--merge-rows ne se combine pas avec {', '.join(conflicting)}")
    if args.csv is None:
        raise UsageError("--merge-rows va avec --csv, le fichier des notes de la classe")
    from grader.tools.merge import merge_class

    return merge_class(
        [Path(path) for path in args.merge_rows],
        Path(args.csv),
        html=Path(args.html) if args.html is not None else None,
        excel=args.excel,
        roster=Path(args.roster) if args.roster is not None else None,
        reports=Path(args.reports) if args.reports is not None else None,
        assignment=args.assignment,
    )
