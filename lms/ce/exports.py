"""The CE exports a provider needs: a learner's transcript, an activity summary, and a
PARS-style learner file (tab-delimited, the fields ACCME asks for).

Rows are plain lists; `lms.gradebook.export.csv_response` makes them formula-safe CSV.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from lms.database import session
from lms.evaluations.results import evaluation_results
from lms.extras import require
from lms.gradebook.export import safe_cell
from lms.models import (
    Certificate,
    Course,
    Enrolment,
    Evaluation,
    Lesson,
    LessonProgress,
    Profile,
)
from lms.text import hours_number


def _valid() -> Any:
    return sa.and_(Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None))


@dataclass(frozen=True)
class TranscriptLine:
    completed: date
    course_title: str
    provider: str
    credit_type: str
    amount: Decimal
    certificate: str


def transcript(profile: Profile) -> list[TranscriptLine]:
    """All CE a learner earned: one line per credit type of each valid certificate."""
    certificates = session.scalars(
        sa.select(Certificate)
        .join(Enrolment, Certificate.enrolment_id == Enrolment.id)
        .where(Enrolment.profile_id == profile.id, _valid())
        .order_by(Certificate.completed_at, Certificate.id)
    )
    lines = []
    for certificate in certificates:
        completed = (certificate.completed_at or certificate.issued_at).date()
        for credit in certificate.credits:
            lines.append(
                TranscriptLine(
                    completed,
                    certificate.course_title,
                    certificate.provider,
                    str(credit["type"]),
                    Decimal(str(credit["amount"])),
                    certificate.code,
                )
            )
    return lines


TRANSCRIPT_HEADER = ["Completed", "Activity", "Provider", "Credit type", "Amount", "Certificate"]


def transcript_rows(lines: list[TranscriptLine]) -> list[list[Any]]:
    return [
        [line.completed.isoformat(), line.course_title, line.provider, line.credit_type,
         hours_number(line.amount), line.certificate]
        for line in lines
    ]  # fmt: skip


def transcript_pdf(profile: Profile, lines: list[TranscriptLine], site_name: str) -> bytes:
    require("pdf", "Transcript PDFs")
    from fpdf import FPDF  # a third of a second to import: only here

    def latin1(text: str) -> str:
        return text.encode("latin-1", "replace").decode("latin-1")

    pdf = FPDF(format="A4")
    pdf.set_title(latin1(f"CE transcript: {profile.display_name}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, latin1(f"CE transcript: {profile.display_name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(
        0,
        6,
        latin1(f"{site_name} · produced {datetime.now():%d %B %Y}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    widths = (24, 70, 50, 16, 30)
    pdf.set_font("Helvetica", "B", 9)
    for width, title in zip(
        widths, ["Completed", "Activity", "Credit type", "Amount", "Certificate"], strict=True
    ):
        pdf.cell(width, 7, title, border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        cells = [line.completed.isoformat(), line.course_title[:45], line.credit_type[:32],
                 hours_number(line.amount), line.certificate]  # fmt: skip
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width, 6, latin1(text))
        pdf.ln()
        totals[line.credit_type] += line.amount
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    if not lines:
        pdf.cell(0, 6, "No CE credit earned yet.", new_x="LMARGIN", new_y="NEXT")
    for credit_type, total in totals.items():
        pdf.cell(
            0,
            6,
            latin1(f"Total {credit_type}: {hours_number(total)}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())


# -- per activity ----------------------------------------------------------------------------


def activity_summary(course: Course) -> tuple[list[str], list[list[Any]]]:
    """One activity's figures: learners started and completed, credit awarded by type,
    and the evaluation's averages (one row per figure: easy to read and to paste)."""
    enrolled = (
        session.scalar(
            sa.select(sa.func.count(Enrolment.id)).where(Enrolment.course_id == course.id)
        )
        or 0
    )
    started = (
        session.scalar(
            sa.select(sa.func.count(sa.distinct(LessonProgress.profile_id)))
            .join(Lesson, LessonProgress.lesson_id == Lesson.id)
            .where(Lesson.course_id == course.id)
        )
        or 0
    )
    completed = (
        session.scalar(
            sa.select(sa.func.count(Enrolment.id)).where(
                Enrolment.course_id == course.id, Enrolment.completed_at.is_not(None)
            )
        )
        or 0
    )
    certificates = list(
        session.scalars(
            sa.select(Certificate)
            .join(Enrolment, Certificate.enrolment_id == Enrolment.id)
            .where(Enrolment.course_id == course.id, _valid())
        )
    )
    rows: list[list[Any]] = [
        ["Activity", course.title],
        ["Learners enrolled", enrolled],
        ["Learners started", started],
        ["Learners completed", completed],
        ["Certificates valid", len(certificates)],
    ]
    awarded: dict[str, Decimal] = defaultdict(Decimal)
    for certificate in certificates:
        for credit in certificate.credits:
            awarded[str(credit["type"])] += Decimal(str(credit["amount"]))
    rows += [[f"Credit awarded: {kind}", hours_number(total)] for kind, total in awarded.items()]
    for evaluation in session.scalars(
        sa.select(Evaluation).where(Evaluation.course_id == course.id)
    ):
        results = evaluation_results(evaluation, None)
        rows.append([f"{evaluation.title}: responses", results.responses])
        for item in results.questions:
            if item.mean is not None:
                rows.append(
                    [f"{evaluation.title}: {item.question.prompt} (mean of 1-5)", item.mean]
                )
    return ["Figure", "Value"], rows


# -- PARS -------------------------------------------------------------------------------------

PARS_HEADER = [
    "Completion Date",
    "Board ID",
    "First Name",
    "Last Name",
    "Birth Month",
    "Birth Day",
    "Credit Type",
    "Credits",
]


def split_name(name: str) -> tuple[str, str]:
    """First and last name from a display name ("Ada M. Lovelace" -> "Ada M.", "Lovelace")."""
    parts = name.split()
    if len(parts) < 2:
        return name.strip(), ""
    return " ".join(parts[:-1]), parts[-1]


def pars_rows(course: Course, start: date | None, end: date | None) -> list[list[Any]]:
    """The learner file: one row per valid certificate and credit type, completed
    between `start` and `end` (inclusive)."""
    query = (
        sa.select(Certificate, Profile)
        .join(Enrolment, Certificate.enrolment_id == Enrolment.id)
        .join(Profile, Enrolment.profile_id == Profile.id)
        .where(Enrolment.course_id == course.id, _valid())
        .order_by(Certificate.completed_at, Certificate.id)
    )
    rows = []
    for certificate, profile in session.execute(query):
        completed = (certificate.completed_at or certificate.issued_at).date()
        if (start and completed < start) or (end and completed > end):
            continue
        first, last = split_name(certificate.learner_name)
        for credit in certificate.credits:
            rows.append([
                completed.strftime("%m/%d/%Y"), profile.board_id or "", first, last,
                profile.birth_month or "", profile.birth_day or "",
                credit["type"], hours_number(credit["amount"]),
            ])  # fmt: skip
    return rows


def tab_delimited(header: list[str], rows: list[list[Any]]) -> str:
    """Tab-delimited text, formula-safe like the CSV exports; tabs and line breaks inside a
    value become spaces."""

    def clean(value: Any) -> str:
        return safe_cell(" ".join(str(value).split()) if value is not None else "")

    return "\n".join("\t".join(clean(v) for v in row) for row in [header, *rows]) + "\n"
