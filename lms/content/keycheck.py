"""A warning (not an error) when a quiz's right answers always sit in the same place.

Authors tend to write the right choice first. Learners notice a pattern like that, and in
a quiz without `shuffle: true` they see the choices in the file's order. `lms courses
check` reports a quiz whose choice questions all put their (first) right answer at the
same position, counted from the start or from the end.
"""

from __future__ import annotations

from pathlib import Path

from lms.content import schema
from lms.content.problems import Problem
from lms.content.yamlsource import LineMap

#: Fewer choice questions than this make no pattern worth a warning.
MIN_QUESTIONS = 2

ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth"]


def _ordinal(index: int, from_end: bool) -> str:
    name = ORDINALS[index] if index < len(ORDINALS) else f"number {index + 1}"
    if from_end:
        return "last" if index == 0 else f"{name} from last"
    return name


def answer_position_warnings(path: Path, quiz: schema.QuizFile, lines: LineMap) -> list[Problem]:
    """One warning if every choice question of the quiz has its right answer (the first
    one, in a multiple-choice question) at the same position; none otherwise."""
    firsts: list[int] = []
    lasts: list[int] = []
    first_line: int | None = None
    for index, question in enumerate(quiz.questions):
        if not isinstance(question, schema.SingleChoiceQuestion | schema.MultipleChoiceQuestion):
            continue
        correct = [i for i, choice in enumerate(question.choices) if choice.correct]
        if not correct:  # the schema refuses this already
            continue
        firsts.append(correct[0])
        lasts.append(len(question.choices) - 1 - correct[-1])
        if first_line is None:
            first_line = lines.key_line(("questions", index, "choices"))
    if len(firsts) < MIN_QUESTIONS:
        return []
    for positions, from_end in ((firsts, False), (lasts, True)):
        if len(set(positions)) == 1:
            where = _ordinal(positions[0], from_end)
            return [
                Problem(
                    path,
                    first_line,
                    f"warning: in all {len(positions)} choice questions of quiz "
                    f"'{quiz.slug}' the right answer is the {where} choice",
                    "vary where the right answer sits: learners spot the pattern, and "
                    "without 'shuffle: true' they see the choices in this order",
                )
            ]
    return []
