"""GIFT round trips: read -> write -> read, and quiz question -> GIFT -> quiz question."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from lms.content.gift.convert import Defaults, convert_question
from lms.content.gift.exporter import export_quizzes, question_to_gift
from lms.content.gift.model import Category, Question
from lms.content.gift.reader import parse_gift, read_gift_file
from lms.content.gift.writer import write_gift, write_question

GIFT_FIXTURES = Path("/work/shared/fixtures/gift")
FILES = sorted(
    path
    for path in GIFT_FIXTURES.glob("*/*")
    if path.suffix in (".gift", ".txt") and path.name not in ("SOURCE", "LICENSE")
)
PARAMS = [pytest.param(path, id=f"{path.parent.name}/{path.name}") for path in FILES] or [
    pytest.param(None, marks=pytest.mark.skip(reason=f"no GIFT fixtures at {GIFT_FIXTURES}"))
]
_LINES = {"line", "end_line", "text_line", "brace_line", "body_line", "after_line"}


def without_lines(items: list[Question | Category]) -> list[Any]:
    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in _LINES}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return [clean(dataclasses.asdict(item)) for item in items]


@pytest.mark.parametrize("path", PARAMS)
def test_gift_reads_back_as_written(path: Path) -> None:
    """Writing what was read gives the same questions; writing those again, the same bytes."""
    first = read_gift_file(path)
    written = write_gift(first.items)
    second = parse_gift(written)
    assert second.errors == []
    assert without_lines(second.items) == without_lines(first.items)
    assert write_gift(second.items) == written


def import_text(text: str) -> list[dict[str, Any]]:
    """GIFT -> quiz questions, the way import-gift converts them (slug = its base)."""
    parsed = parse_gift(text)
    assert parsed.errors == []
    found = []
    for question in parsed.questions:
        draft = convert_question(question, Defaults())
        assert draft.blocked is None, draft.reports
        assert draft.data is not None
        found.append(draft.data | {"slug": draft.slug_base})
    return found


TRICKY = "Braces {x}, ~tilde, = equals, # hash, : colon, \\ backslash, \\n as typed"
SAMPLES: list[dict[str, Any]] = [
    {
        "slug": "single-choice",
        "type": "single",
        "prompt": TRICKY + "\nand a second line\n\nand a paragraph.",
        "points": 3,
        "choices": [
            {"text": "%50% starts like a weight", "correct": True, "feedback": "Yes: {ok}"},
            {"text": "[html] starts like a format", "feedback": "No #1"},
            {"text": "->", "feedback": "an arrow"},
        ],
        "feedback": "General: ####, \\, ::name::",
        "source": "History",
        "objective": "obj-1",
    },
    {
        "slug": "multiple-choice",
        "type": "multiple",
        "prompt": "// starts like a comment",
        "choices": [
            {"text": "a", "correct": True},
            {"text": "b", "correct": True},
            {"text": "c", "correct": True},
            {"text": "d"},
        ],
        "feedback": "Three of four.",
        "source": "Safety [with brackets]",
    },
    {
        "slug": "multiple-one-right",
        "type": "multiple",
        "prompt": "Only one is right, but learners are not told.",
        "choices": [{"text": "a", "correct": True, "feedback": "right"}, {"text": "b"}],
        "feedback": "f",
    },
    {"slug": "t", "type": "true_false", "prompt": "$CATEGORY: is text here", "answer": False},
    {"slug": "tf-true", "type": "true_false", "prompt": "Ça va ? 🙂", "answer": True},
    {
        "slug": "short",
        "type": "short_answer",
        "prompt": "Name it.",
        "accepted": ["Spravato", "T", "TRUE", "a * star", "x = y"],
        "feedback": "Spravato.",
    },
    {"slug": "numeric", "type": "numeric", "prompt": "Year?", "answer": 1960, "tolerance": 0},
    {
        "slug": "numeric-fraction",
        "type": "numeric",
        "prompt": "Pi?",
        "answer": -3.1415,
        "tolerance": 0.0005,
        "feedback": "About 3.14.",
    },
    {"slug": "tiny", "type": "numeric", "prompt": "Small?", "answer": 1e-05, "tolerance": 2.5},
    {"slug": "essay", "type": "essay", "prompt": "Reflect.\n\nAt length.", "feedback": "Good."},
]


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["slug"] for s in SAMPLES])
def test_each_supported_type_round_trips_unchanged(sample: dict[str, Any]) -> None:
    question, lost = question_to_gift(sample)
    assert lost == []
    gift = write_question(question)
    [back] = import_text(gift)
    expected = dict(sample)
    if expected["type"] == "numeric":
        expected.setdefault("tolerance", 0)
    assert back == expected
    assert list(back) == list(expected)  # and in the order courses/README.md uses
    again, _ = question_to_gift(back)
    assert write_question(again) == gift


def test_what_gift_cannot_carry_is_listed() -> None:
    essay = SAMPLES[-1] | {
        "rubric": [{"criterion": "Depth", "points": 3}],
        "min_words": 100,
        "max_words": 300,
    }
    _, lost = question_to_gift(essay)
    assert lost == ["rubric not carried", "min_words not carried", "max_words not carried"]
    arrow = SAMPLES[5] | {"accepted": ["a->b"]}
    _, lost = question_to_gift(arrow)
    assert lost == ["accepted answer 'a->b' contains '->', which GIFT reads as a matching pair"]


def test_blanks_around_texts_are_not_carried() -> None:
    sample = SAMPLES[3] | {"prompt": "  Padded\n  text \n", "feedback": " f \n"}
    [back] = import_text(write_question(question_to_gift(sample)[0]))
    assert (back["prompt"], back["feedback"]) == ("Padded\n  text", "f")


@pytest.mark.parametrize("path", PARAMS)
def test_imported_fixtures_export_and_import_again_unchanged(path: Path) -> None:
    """Every question of a fixture that imports: export, import, export: same bytes."""
    drafts = []
    for question in read_gift_file(path).questions:
        draft = convert_question(question, Defaults())
        if draft.data is not None:
            drafts.append(draft.data | {"slug": draft.slug_base})
    if not drafts:
        pytest.skip("no question of this file imports")
    exported = export_quizzes("course", [{"slug": "quiz", "questions": drafts}]).text
    again = import_text(exported)
    assert again == drafts
    assert export_quizzes("course", [{"slug": "quiz", "questions": again}]).text == exported


def test_the_example_in_courses_readme_imports_as_it_says() -> None:
    readme = Path(__file__).resolve().parents[2] / "courses" / "README.md"
    [example] = re.findall(r"```gift\n(.*?)```", readme.read_text(), re.DOTALL)
    assert import_text(example) == [
        {
            "slug": "risk-screen",
            "type": "single",
            "prompt": "Which of these is a contraindication listed in the article?",
            "points": 2,
            "choices": [
                {
                    "text": "Uncontrolled hypertension",
                    "correct": True,
                    "feedback": "Yes: it is on the list.",
                },
                {"text": "Mild seasonal allergies"},
            ],
            "feedback": "The article lists ten contraindications, hypertension among them.",
            "source": "Contraindications",
            "objective": "screen-for-risk",
        }
    ]
