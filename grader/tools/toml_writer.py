"""The catalogue written back as TOML, in the shape `grader/exercises.toml` has.

`tomllib` reads TOML but does not write it. tomli-w does, but writes an
exercise's tests as one inline table per line, and the students read their
catalogue to see what each public test is worth: here each test keeps its own
`[[exercise.test]]` table, as in the kit's file. The caller reads the result
back with `tomllib` and compares (`export.public_catalogue_text`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class UnexpectedValue(ValueError):
    """A value the catalogue's shape never holds (a date, a None)."""


def _toml_string(text: str) -> str:
    # JSON's escapes are TOML's for basic strings, except DEL, which TOML
    # wants escaped and JSON leaves as it is.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise UnexpectedValue(f"valeur inattendue dans le catalogue : {value!r}")


def _toml_key(key: str) -> str:
    bare = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
    return key if bare else _toml_string(key)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _toml_table(lines: list[str], header: str, table: Mapping[str, Any]) -> None:
    lines.append(f"[[{header}]]")
    nested: list[tuple[str, list[dict[str, Any]]]] = []
    for key, value in table.items():
        if _is_table_array(value):
            nested.append((key, value))
        elif isinstance(value, list) and not value and key == "test":
            continue  # an exercise whose tests are all hidden: no public test
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    lines.append("")
    for key, tables in nested:
        for sub in tables:
            _toml_table(lines, f"{header}.{_toml_key(key)}", sub)


def dump_catalogue(data: Mapping[str, Any], header: str = "") -> str:
    """TOML for the catalogue's shape: `header` (comments), top-level values, arrays of tables."""
    lines: list[str] = [header] if header else []
    tables: list[tuple[str, list[dict[str, Any]]]] = []
    for key, value in data.items():
        if _is_table_array(value):
            tables.append((key, value))
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, entries in tables:
        for entry in entries:
            _toml_table(lines, _toml_key(key), entry)
    return "\n".join(lines).rstrip("\n") + "\n"
