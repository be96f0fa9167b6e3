"""Reading answers out of a request: a JSON autosave or a plain form post.

Both give back the parsed responses that are valid and a message per question that is
not, so the valid ones can be saved while the learner fixes the rest; what was saved
before for a malformed question is left as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from lms.quizzes.attempts import LaidOutQuestion
from lms.quizzes.types import ResponseError


@dataclass
class ParsedAnswers:
    #: question version id -> parsed response, for the questions that parsed.
    responses: dict[int, Any] = field(default_factory=dict)
    #: question version id -> a message for the learner, for the ones that did not.
    errors: dict[int, str] = field(default_factory=dict)

    def summary(self) -> str:
        return " ".join(self.errors.values())


def _parse_one(parsed: ParsedAnswers, question: LaidOutQuestion, parse: Any, value: Any) -> None:
    try:
        parsed.responses[question.version.id] = parse(question.version, question.choices, value)
    except ResponseError as error:
        parsed.errors[question.version.id] = f"Question {question.number}: {error}"


def parse_json_answers(questions: Sequence[LaidOutQuestion], payload: Any) -> ParsedAnswers:
    """Answers from ``{"answers": {"<question key>": value, ...}}``; only those sent.

    Raises ResponseError when the body as a whole is not of that shape or names a
    question that is not in the attempt (nothing is saved then).
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        raise ResponseError(
            'The answers could not be read: send a JSON object like {"answers": {...}}.'
        )
    by_key = {q.key: q for q in questions}
    parsed = ParsedAnswers()
    for key, value in payload["answers"].items():
        question = by_key.get(str(key))
        if question is None:
            raise ResponseError("One of the answers is for a question that is not in this quiz.")
        _parse_one(parsed, question, question.kind.parse, value)
    return parsed


def parse_form_answers(
    questions: Sequence[LaidOutQuestion], form: MultiDict[str, str]
) -> ParsedAnswers:
    """Answers from the attempt page's form: every question, a missing field is blank."""
    parsed = ParsedAnswers()
    for question in questions:
        _parse_one(parsed, question, question.kind.parse_form, form.getlist(question.field_name))
    return parsed
