"""Submitting an evaluation: its answers stored with no link to the learner, and a
separate note that the learner submitted (what the certificate asks for)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from lms.database import lock_row, session, utcnow
from lms.models import (
    Enrolment,
    Evaluation,
    EvaluationQuestion,
    EvaluationResponse,
    EvaluationSubmission,
)

#: The agreement scale of a likert question, from 1 to 5.
LIKERT = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
TEXT_MAX_CHARS = 5000


class EvaluationError(ValueError):
    """The evaluation cannot be submitted as it is; the message says why."""


@dataclass
class ParsedEvaluation:
    answers: dict[str, Any] = field(default_factory=dict)
    #: question slug -> a message for the learner
    errors: dict[str, str] = field(default_factory=dict)


def parse_answers(evaluation: Evaluation, form: Mapping[str, str]) -> ParsedEvaluation:
    """The posted answers, checked against each question (`q-<slug>` fields)."""
    parsed = ParsedEvaluation()
    for question in evaluation.questions:
        raw = (form.get(f"q-{question.slug}") or "").strip()
        try:
            value = _parse(question, raw)
        except EvaluationError as error:
            parsed.errors[question.slug] = str(error)
            continue
        if value is None and question.required:
            parsed.errors[question.slug] = "Answer this question (it is required)."
        elif value is not None:
            parsed.answers[question.slug] = value
    return parsed


def _parse(question: EvaluationQuestion, raw: str) -> Any:
    if not raw:
        return None
    if question.type == "likert":
        if raw not in {"1", "2", "3", "4", "5"}:
            raise EvaluationError("Choose one point of the scale.")
        return int(raw)
    if question.type == "single":
        if raw not in question.options:
            raise EvaluationError("Choose one of the listed options.")
        return raw
    if "\x00" in raw:
        raise EvaluationError("The text contains a character that cannot be stored.")
    if len(raw) > TEXT_MAX_CHARS:
        raise EvaluationError(
            f"Your comment has {len(raw):,} characters; the most is {TEXT_MAX_CHARS:,}."
        )
    return raw


def submission(evaluation: Evaluation, enrolment: Enrolment) -> EvaluationSubmission | None:
    return session.scalar(
        sa.select(EvaluationSubmission).where(
            EvaluationSubmission.evaluation_id == evaluation.id,
            EvaluationSubmission.enrolment_id == enrolment.id,
        )
    )


def submit(evaluation: Evaluation, enrolment: Enrolment, answers: dict[str, Any]) -> bool:
    """Store the answers (anonymously) and note the submission; False when this learner
    had already submitted (a double click stores nothing twice). Flushes."""
    lock_row(Enrolment, enrolment.id)
    if submission(evaluation, enrolment) is not None:
        return False
    now = utcnow()
    session.add(EvaluationSubmission(evaluation_id=evaluation.id, enrolment_id=enrolment.id,
                                     submitted_at=now))  # fmt: skip
    session.add(
        EvaluationResponse(
            evaluation_id=evaluation.id,
            cohort_id=enrolment.cohort_id,
            submitted_on=now.date(),
            answers=answers,
        )
    )
    session.flush()
    return True
