"""The question type registry: each type parses, grades and explains its own answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from lms.models import Choice, QuestionType, QuestionVersion, RubricCriterion
from lms.quizzes.types import QUESTION_TYPES, ResponseError, question_type


def version(kind: QuestionType, points: int = 1, **settings: Any) -> QuestionVersion:
    choices = settings.pop("choices", [])
    rubric = settings.pop("rubric", [])
    return QuestionVersion(
        id=1,
        type=kind,
        prompt="?",
        points=Decimal(points),
        settings=settings,
        choices=[
            Choice(id=10 + i, position=i, text=text, is_correct=correct)
            for i, (text, correct) in enumerate(choices)
        ],
        rubric=[
            RubricCriterion(id=i, position=i, title=title, points=Decimal(p))
            for i, (title, p) in enumerate(rubric)
        ],
    )


SINGLE = version(QuestionType.SINGLE, choices=[("1960s", True), ("1990s", False)])
MULTIPLE = version(QuestionType.MULTIPLE, choices=[("A", True), ("B", True), ("C", False)])
TRUE_FALSE = version(QuestionType.TRUE_FALSE, answer=True)
SHORT = version(QuestionType.SHORT_ANSWER, accepted=["ketamine", "ketamine hydrochloride"])
NUMERIC = version(QuestionType.NUMERIC, points=2, answer=6.0, tolerance=0.5)
ESSAY = version(
    QuestionType.ESSAY, points=5, min_words=3, max_words=6, rubric=[("Insight", 3), ("Care", 2)]
)


def names(v: QuestionVersion) -> dict[str, int]:
    """The page's names for the choices (an attempt's are opaque; these are readable)."""
    return {f"c{c.id}": c.id for c in v.choices}


def parse(v: QuestionVersion, value: Any) -> Any:
    return question_type(v).parse(v, names(v), value)


def grade(v: QuestionVersion, value: Any) -> tuple[Decimal | None, bool | None]:
    result = question_type(v).grade(v, parse(v, value))
    return result.score, result.is_correct


def test_every_question_type_has_a_class_in_the_registry() -> None:
    assert set(QUESTION_TYPES) == set(QuestionType)
    assert question_type(QuestionType.ESSAY).auto_graded is False


def test_single_choice_scores_the_right_choice_only() -> None:
    assert grade(SINGLE, "c10") == (1, True)
    assert grade(SINGLE, "c11") == (0, False)
    assert grade(SINGLE, None) == (0, False)
    assert question_type(SINGLE).explain(SINGLE) == "1960s"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("c99", "not one of this question's choices"),
        ("10", "not one of this question's choices"),  # an id is not a name
        (10, "Choose one"),
        (["c10"], "Choose one"),
    ],
)
def test_single_choice_refuses_unknown_or_malformed_choices(value: Any, message: str) -> None:
    with pytest.raises(ResponseError, match=message):
        parse(SINGLE, value)


def test_multiple_choice_needs_exactly_the_correct_set() -> None:
    assert grade(MULTIPLE, ["c11", "c10"]) == (1, True)
    assert grade(MULTIPLE, ["c10"]) == (0, False)
    assert grade(MULTIPLE, ["c10", "c11", "c12"]) == (0, False)
    assert grade(MULTIPLE, []) == (0, False)
    with pytest.raises(ResponseError, match="as a list"):
        parse(MULTIPLE, "c10")
    with pytest.raises(ResponseError, match="not one of"):
        parse(MULTIPLE, ["c10", "c42"])
    assert question_type(MULTIPLE).explain(MULTIPLE) == "A; B"


def test_true_false_accepts_booleans_and_their_words() -> None:
    assert grade(TRUE_FALSE, True) == (1, True)
    assert grade(TRUE_FALSE, "true") == (1, True)
    assert grade(TRUE_FALSE, False) == (0, False)
    with pytest.raises(ResponseError, match="true or false"):
        parse(TRUE_FALSE, "maybe")
    with pytest.raises(ResponseError, match="true or false"):
        parse(TRUE_FALSE, 1)


def test_short_answer_ignores_case_and_spaces() -> None:
    assert grade(SHORT, "  KETAMINE ") == (1, True)
    assert grade(SHORT, "ketamine   Hydrochloride") == (1, True)
    assert grade(SHORT, "esketamine") == (0, False)
    assert parse(SHORT, "   ") is None
    with pytest.raises(ResponseError, match="as text"):
        parse(SHORT, 5)
    with pytest.raises(ResponseError, match="the most this question takes is 500"):
        parse(SHORT, "x" * 501)
    assert question_type(SHORT).explain(SHORT) == "ketamine or ketamine hydrochloride"


@pytest.mark.parametrize("typed", ["6", "6.0", " 6 ", "5.5", "6.5", 6, 6.25, "+6", "60e-1"])
def test_numeric_accepts_numbers_within_the_tolerance(typed: Any) -> None:
    assert grade(NUMERIC, typed) == (2, True)


@pytest.mark.parametrize("typed", ["7", "5.4", "-6"])
def test_numeric_scores_nothing_outside_the_tolerance(typed: str) -> None:
    assert grade(NUMERIC, typed) == (0, False)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("six", "is not a number"),
        ("6,5", "Use a point for decimals"),
        ("nan", "is not a number"),
        ("1e999", "too large"),
        (True, "Type a number"),
        ([6], "Type a number"),
    ],
)
def test_numeric_refuses_what_is_not_a_number_with_a_message(typed: Any, message: str) -> None:
    with pytest.raises(ResponseError, match=message):
        parse(NUMERIC, typed)


def test_numeric_explains_the_answer_and_tolerance() -> None:
    assert question_type(NUMERIC).explain(NUMERIC) == "6 (± 0.5)"
    assert parse(NUMERIC, " 6.0 ") == 6


def test_essays_wait_for_an_instructor_and_check_word_limits() -> None:
    essay = question_type(ESSAY)
    assert grade(ESSAY, "Some thoughts here") == (None, None)
    assert essay.problems(ESSAY, "Too short") == ["The answer has 2 words; write at least 3."]
    assert essay.problems(ESSAY, "one two three four five six seven") == [
        "The answer has 7 words; keep it to 6 at most."
    ]
    assert essay.problems(ESSAY, "just the right length") == []
    assert "Insight (3 points); Care (2 points)" in essay.explain(ESSAY)
    with pytest.raises(ResponseError, match="characters"):
        parse(ESSAY, "x" * 50_001)


def test_the_page_context_never_carries_the_answer_key() -> None:
    for v in (SINGLE, MULTIPLE, TRUE_FALSE, SHORT, NUMERIC, ESSAY):
        context = question_type(v).render_context(v, names(v), None)
        flat = repr(context)
        assert "correct" not in flat
        assert "ketamine" not in flat
        assert "0.5" not in flat
