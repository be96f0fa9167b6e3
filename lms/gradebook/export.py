"""CSV exports that open correctly in Excel and cannot run formulas.

A cell that starts with = + - @ (or a tab or carriage return) would be read as a formula
by spreadsheet programs (CSV injection), so it is prefixed with an apostrophe. Files are
UTF-8 with a byte-order mark, which Excel needs to read accented names right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response

from lms.gradebook.queries import Gradebook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def gradebook_rows(book: Gradebook) -> tuple[list[str], list[list[Any]]]:
    header = ["Learner", "Email", "Profession", "Licence", "Status", "Complete (%)"]
    header += [f"{quiz.title} (%)" for quiz in book.quizzes]
    header += [f"{quiz.title} status" for quiz in book.quizzes]
    header += ["CE hours earned", "Reading minutes"]
    rows = []
    for row in book.rows:
        profile = row.profile
        licence = " ".join(p for p in (profile.licence_type, profile.licence_number) if p)
        cells: list[Any] = [
            profile.display_name,
            profile.email,
            profile.profession.value if profile.profession else "",
            licence,
            row.outline.status.label,
            row.outline.percent,
        ]
        cells += [
            s.score_percent if s and s.score_percent is not None else "" for s in row.quiz_states
        ]
        cells += [s.status.label if s else "" for s in row.quiz_states]
        cells += [row.ce_hours_earned, round(row.reading_seconds / 60)]
        rows.append(cells)
    return header, rows


def progress_rows(book: Gradebook) -> tuple[list[str], list[list[Any]]]:
    modules = book.rows[0].outline.modules if book.rows else []
    header = ["Learner", "Email", "Complete (%)"] + [m.module.title for m in modules]
    rows = [
        [row.profile.display_name, row.profile.email, row.outline.percent]
        + [m.status.label for m in row.outline.modules]
        for row in book.rows
    ]
    return header, rows
