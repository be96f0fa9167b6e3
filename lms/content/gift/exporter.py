"""Quiz-file questions as GIFT: what ``lms courses export-gift`` writes.

Each quiz becomes a ``$CATEGORY`` (so that importing the file again gives one quiz per
category), each question a GIFT question named by its slug, with its source, objective and
points (when not 1) in a ``// [tag:key=value]`` comment. Texts are written ``[plain]``:
the LMS shows them as plain text, and so will Moodle. What GIFT cannot carry (quiz settings,
an essay's rubric, word limits and writing time, leading and trailing blanks) is listed in
the notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lms.content.crosscheck import did_you_mean
from lms.content.gift.model import Answer, Category, Number, NumericAnswer, Question, Text
from lms.content.gift.target import find_course
from lms.content.gift.writer import write_item, write_question
from lms.content.loader import QuizSource, load_courses

#: The category a quiz is exported under; the importer names the draft after its last part.
CATEGORY = "$course$/top/{slug}"


@dataclass
class Export:
    text: str
    notes: list[str] = field(default_factory=list)  # what the GIFT file does not carry


class ExportError(Exception):
    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


def export_course(root: Path, course: str, quiz: str | None = None) -> Export:
    """GIFT for the quizzes of the course with slug ``course`` (or its quiz ``quiz``).

    Raises TargetError if there is no such course, ExportError if its files do not check
    or it has no such quiz.
    """
    folder = find_course(root, course)
    result = load_courses(folder)
    if not result.ok:
        raise ExportError(
            f"course '{course}' has problems; fix them first (`lms courses check`)",
            [str(problem) for problem in result.problems],
        )
    [source] = result.courses
    quizzes = [
        item.quiz
        for module in source.modules
        for item in module.items
        if isinstance(item, QuizSource)
    ]
    if quiz is not None:
        slugs = [q.slug for q in quizzes]
        quizzes = [q for q in quizzes if q.slug == quiz]
        if not quizzes:
            raise ExportError(
                f"course '{course}' has no quiz '{quiz}' ({did_you_mean(quiz, slugs, 'quizzes')})"
            )
    dumped = [q.model_dump(mode="json", exclude_none=True) for q in quizzes]
    return export_quizzes(course, dumped)


def export_quizzes(course_slug: str, quizzes: Iterable[Mapping[str, Any]]) -> Export:
    """GIFT for quiz files given as dicts (``QuizFile.model_dump()`` or a draft's YAML)."""
    notes: list[str] = []
    chunks: list[str] = []
    for quiz in quizzes:
        slug = str(quiz["slug"])
        chunks.append(write_item(Category(0, CATEGORY.format(slug=slug))))
        for data in quiz.get("questions", []):
            question, lost = question_to_gift(data)
            chunks.append(write_question(question))
            notes += [f"{slug}/{data.get('slug')}: {item}" for item in lost]
    header = (
        f"// GIFT export of course {course_slug} by `lms courses export-gift`.\n"
        "// Not carried: quiz settings (title, pass mark, attempts, ...), essay rubrics, word\n"
        "// limits and writing time. Source, objective and points are [tag:key=value] comments."
    )
    return Export("\n\n".join([header, *chunks]) + "\n", notes)


def question_to_gift(data: Mapping[str, Any]) -> tuple[Question, list[str]]:
    """A quiz question as a GIFT question, and what of it GIFT does not carry."""
    kind = data["type"]
    lost: list[str] = []
    question = Question(
        _KINDS[kind], 0, 0, _plain(data["prompt"]), name=str(data["slug"]), tags=_tags(data)
    )
    if data.get("feedback"):
        question.general_feedback = _plain(data["feedback"])
    if kind in ("single", "multiple"):
        question.answers = _choices(data["choices"], single=kind == "single")
    elif kind == "true_false":
        question.truth = bool(data["answer"])
    elif kind == "short_answer":
        question.answers = [
            Answer(0, True, None, Text(_literal_stars(str(text).strip()), "plain"))
            for text in data["accepted"]
        ]
        lost += [
            f"accepted answer '{text}' contains '->', which GIFT reads as a matching pair"
            for text in data["accepted"]
            if "->" in str(text)
        ]
    elif kind == "numeric":
        question.numbers = [NumericAnswer(0, None, None, _number(data))]
    elif kind == "essay":
        lost += [
            f"{key} not carried"
            for key in ("rubric", "min_words", "max_words", "minutes")
            if data.get(key)
        ]
    return question, lost


_KINDS = {
    "single": "multichoice",
    "multiple": "multichoice",
    "true_false": "truefalse",
    "short_answer": "shortanswer",
    "numeric": "numerical",
    "essay": "essay",
}


def _plain(text: str) -> Text:
    return Text(str(text).strip(), "plain")


def _tags(data: Mapping[str, Any]) -> list[str]:
    tags = [f"{key}={data[key]}" for key in ("source", "objective") if data.get(key)]
    points = data.get("points")
    if data["type"] != "essay" and points not in (None, 1):
        tags.append(f"points={points}")
    return tags


def _choices(choices: list[Mapping[str, Any]], single: bool) -> list[Answer]:
    """Single choice: =right ~wrong. Multiple: the right ones share 100% (Moodle's
    multiple-answer form), the wrong ones take -100%, so that in Moodle too any wrong
    pick loses the question, as in the LMS."""
    right = sum(1 for choice in choices if choice.get("correct"))
    share = round(100 / right, 5) if right else 0.0
    answers = []
    for choice in choices:
        correct = bool(choice.get("correct"))
        weight = None if single else (share if correct else -100.0)
        feedback = _plain(choice["feedback"]) if choice.get("feedback") else None
        answers.append(
            Answer(0, correct if single else False, weight, _plain(choice["text"]), feedback)
        )
    return answers


def _literal_stars(text: str) -> str:
    """In Moodle a short answer's '*' is a wildcard; '\\*' is a literal asterisk."""
    return text.replace("*", "\\*")


def _number(data: Mapping[str, Any]) -> Number:
    value = _format_number(data["answer"])
    tolerance = data.get("tolerance") or 0
    if tolerance:
        return Number("range", value=value, tolerance=_format_number(tolerance))
    return Number("simple", value=value)


def _format_number(value: float) -> str:
    number = float(value)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)
