"""The contract's JSON report: exactly ``Report.to_dict()``, nothing added."""

from __future__ import annotations

import json

from grader.results import Report


def render(report: Report, *, color: bool = False) -> str:
    # `color` is part of every format's signature; JSON has none to give.
    del color
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
