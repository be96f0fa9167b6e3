"""A course's expected time, from its files: what `lms courses check` holds CE hours to.

Reading is counted from the words (200 a minute), not from the minutes an author states;
quizzes, live sessions, essays and evaluations count the minutes their files state. The
CE information page shows the same figures, so learners see how the hours were estimated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lms.content import schema

if TYPE_CHECKING:
    from lms.content.loader import CourseSource

WORDS_PER_MINUTE = 200
#: A credit claim above the expected time by more than this fraction is refused.
TOLERANCE = 0.10
_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1", re.MULTILINE | re.DOTALL)
_LINK_TARGET = re.compile(r"\]\([^)]*\)")


def word_count(markdown: str) -> int:
    """Words a reader reads: link targets and code blocks left out."""
    text = _LINK_TARGET.sub("]", _FENCE.sub("", markdown))
    return len(_WORD.findall(text))


def quiz_minutes(quiz: schema.QuizFile) -> float:
    """The quiz's stated minutes, or a minute per auto-graded question an attempt asks
    plus each essay's stated writing time."""
    if quiz.minutes is not None:
        return float(quiz.minutes)
    essays = [q for q in quiz.questions if isinstance(q, schema.EssayQuestion)]
    asked = quiz.questions_per_attempt
    auto = asked if quiz.draw else len(quiz.questions) - len(essays)
    return float(auto) + sum(float(q.minutes or 0) for q in essays if not quiz.draw)


@dataclass(frozen=True)
class ExpectedTime:
    """Minutes a learner is expected to spend, by kind of activity."""

    reading: float
    live: float
    assessment: float
    evaluation: float

    @property
    def total(self) -> float:
        return self.reading + self.live + self.assessment + self.evaluation

    @property
    def home_study(self) -> float:
        return self.total - self.live

    def describe(self) -> str:
        parts = [
            f"reading {hours(self.reading)} h at {WORDS_PER_MINUTE} words a minute",
            f"live sessions {hours(self.live)} h" if self.live else "",
            f"quizzes and written work {hours(self.assessment)} h",
            f"evaluation {hours(self.evaluation)} h" if self.evaluation else "",
        ]
        return ", ".join(part for part in parts if part)


def hours(minutes: float) -> str:
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def expected_time(course: CourseSource) -> ExpectedTime:
    from lms.content.loader import EvaluationSource, LessonSource, QuizSource

    reading = live = assessment = evaluation = 0.0
    for module in course.modules:
        for item in module.items:
            if isinstance(item, LessonSource):
                reading += word_count(item.body) / WORDS_PER_MINUTE
                live += float(item.meta.session_minutes or 0)
            elif isinstance(item, QuizSource):
                assessment += quiz_minutes(item.quiz)
            elif isinstance(item, EvaluationSource):
                evaluation += float(item.evaluation.minutes)
    return ExpectedTime(reading, live, assessment, evaluation)
