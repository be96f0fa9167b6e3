"""What a GIFT file says, as plain dataclasses with the line each part came from.

The shapes follow Moodle's own reading of GIFT (question/format/gift/format.php): a question
has a text, an optional name, an answer block whose content decides its kind, and texts that
each carry one of Moodle's four text formats. Nothing here knows about the LMS; ``convert``
maps these to quiz questions and ``writer`` turns them back into GIFT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Format = Literal["moodle", "html", "plain", "markdown"]
FORMATS: tuple[Format, ...] = ("moodle", "html", "plain", "markdown")
#: Moodle's question types as its GIFT reader names them.
Kind = Literal[
    "description", "essay", "truefalse", "multichoice", "shortanswer", "numerical", "match"
]
#: The blank Moodle writes where the answer block sat in a missing-word question.
GAP = "_____"


@dataclass(frozen=True)
class Text:
    """Text with its format: ``[html]``, ``[moodle]`` (Moodle's default), ``[plain]``,
    ``[markdown]``. Escapes are already resolved; the text is trimmed, as Moodle does."""

    text: str
    format: Format = "moodle"


@dataclass(frozen=True)
class Answer:
    """One answer of a multiple-choice or short-answer question.

    ``correct`` is the marker: True for ``=``, False for ``~``, None for none (the first
    answer of a short-answer question may omit it). ``weight`` is the ``%50%`` percentage,
    None when absent.
    """

    line: int
    correct: bool | None
    weight: float | None
    text: Text
    feedback: Text | None = None


@dataclass(frozen=True)
class Number:
    """A numerical answer as written: ``1822`` (simple), ``1822:2`` (range: value and
    tolerance), ``1821..1823`` (high-low) or ``*`` (any). Numbers are kept as their text,
    so writing them back never changes their spelling."""

    kind: Literal["simple", "range", "high-low", "any"]
    value: str | None = None  # simple, range
    tolerance: str | None = None  # range
    low: str | None = None  # high-low
    high: str | None = None  # high-low


@dataclass(frozen=True)
class NumericAnswer:
    line: int
    correct: bool | None  # marker: '=' True, '~' False (feedback for any other answer), None
    weight: float | None
    number: Number
    feedback: Text | None = None


@dataclass(frozen=True)
class MatchPair:
    line: int
    question: Text
    answer: str  # Moodle keeps sub-answers as plain text


@dataclass
class Question:
    kind: Kind
    line: int  # first line of the question (its name or text), comments excluded
    end_line: int
    text: Text  # the question text before the answer block
    name: str | None = None  # ::name::
    idnumber: str | None = None  # // [id:...]
    tags: list[str] = field(default_factory=list)  # // [tag:...]
    category: str | None = None  # the $CATEGORY in force
    text_line: int | None = None  # where the question text starts (after its name)
    brace_line: int | None = None  # line of the answer block's '{'
    body_line: int | None = None  # where the answer block's content starts
    text_after: str | None = None  # text after the answer block: a missing-word question
    after_line: int | None = None
    general_feedback: Text | None = None  # {... ####feedback}
    answers: list[Answer] = field(default_factory=list)  # multichoice, shortanswer
    numbers: list[NumericAnswer] = field(default_factory=list)  # numerical
    pairs: list[MatchPair] = field(default_factory=list)  # match
    truth: bool | None = None  # truefalse
    feedback_wrong: Text | None = None  # truefalse: shown to a wrong answer ({T#this#...})
    feedback_right: Text | None = None  # truefalse: shown to a right answer ({T#...#this})

    @property
    def stem(self) -> str:
        """The question text as Moodle shows it, with a blank for a missing word."""
        if self.text_after is None:
            return self.text.text
        return " ".join(part for part in (self.text.text, GAP, self.text_after) if part)


@dataclass(frozen=True)
class Category:
    line: int
    path: str  # $CATEGORY: path


@dataclass(frozen=True)
class SyntaxProblem:
    line: int | None
    message: str
    hint: str = ""


@dataclass
class GiftFile:
    items: list[Question | Category]
    errors: list[SyntaxProblem] = field(default_factory=list)

    @property
    def questions(self) -> list[Question]:
        return [item for item in self.items if isinstance(item, Question)]
