"""README.md documents every setting, in one table, with its type and default as the code
has them: a setting added to lms.config.DEFAULTS without a row fails here (the message
gives the row to add, its description left to write)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lms.config import DEFAULTS, STANDALONE_DEFAULTS, setting_type

README = Path(__file__).resolve().parents[2] / "README.md"
TYPE_NAMES = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "text",
    list: "list",
    dict: "dict",
}


def shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value}`"


def default_cell(key: str) -> str:
    if key in STANDALONE_DEFAULTS:
        return f"{shown(STANDALONE_DEFAULTS[key])} (host app: {shown(DEFAULTS[key])})"
    return shown(DEFAULTS[key])


def expected_row(key: str) -> tuple[str, str, str]:
    return f"`{key}`", TYPE_NAMES[setting_type(key)], default_cell(key)


def readme_rows() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    table = re.search(r"<!-- settings-table.*?-->\n(.*?)<!-- /settings-table -->", text, re.S)
    assert table, "README.md has no settings table between its markers"
    lines = table.group(1).strip().splitlines()
    assert lines[0] == "| setting | type | default | what it does |"
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines[2:]]


def test_every_setting_has_one_row_with_its_type_and_default() -> None:
    rows = readme_rows()
    names = [row[0].strip("`") for row in rows]
    assert len(names) == len(set(names)), "a setting has two rows"
    missing = [key for key in DEFAULTS if key not in names]
    assert not missing, "add to README.md's settings table:\n" + "\n".join(
        "| {} | {} | {} | ... |".format(*expected_row(key)) for key in missing
    )
    assert not set(names) - set(DEFAULTS), "README.md documents settings that do not exist"
    for row in rows:
        assert len(row) == 4 and row[3], f"{row[0]}: four cells, the last saying what it does"
        assert tuple(row[:3]) == expected_row(row[0].strip("`")), row[0]
