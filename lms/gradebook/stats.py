"""Per-question statistics of a quiz, so authors can spot questions that do not work.

For each question version, over graded attempts:
- facility: the mean share of the question's points learners scored (1.0: everyone right);
- discrimination: the correlation between the question's score and the rest of the test
  (the attempt's total minus this question); near zero or negative means strong learners
  do no better on it than weak ones, which usually means the question is flawed;
- for choice questions, how often each choice was picked.
Everything comes from one query over the quiz's answers and one pass over the rows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import session
from lms.models import Answer, Attempt, AttemptStatus, Question, QuestionVersion, Quiz


@dataclass
class ChoiceStat:
    text: str
    is_correct: bool
    picked: int
    share: float


@dataclass
class ItemStat:
    version: QuestionVersion
    responses: int = 0
    facility: float | None = None
    discrimination: float | None = None
    choices: list[ChoiceStat] = field(default_factory=list)


def pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    if var_x == 0 or var_y == 0:
        return None
    return cov / math.sqrt(var_x * var_y)


def picked_ids(response: Any) -> list[int]:
    if isinstance(response, list):
        return [r for r in response if isinstance(r, int)]
    return [response] if isinstance(response, int) and not isinstance(response, bool) else []


def item_statistics(quiz: Quiz, profile_ids: Collection[int] | None = None) -> list[ItemStat]:
    """Statistics per question version of `quiz` (optionally only these learners)."""
    versions = session.scalars(
        sa.select(QuestionVersion)
        .join(Question, QuestionVersion.question_id == Question.id)
        .where(Question.quiz_id == quiz.id)
        .options(so.selectinload(QuestionVersion.choices), so.joinedload(QuestionVersion.question))
        .order_by(Question.position, QuestionVersion.number)
    ).all()
    query = (
        sa.select(Answer.question_version_id, Answer.response, Answer.score, Attempt.score)
        .join(Attempt, Answer.attempt_id == Attempt.id)
        .where(Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.GRADED)
    )
    if profile_ids is not None:
        query = query.where(Attempt.profile_id.in_(list(profile_ids)))
    item_scores: dict[int, list[float]] = defaultdict(list)
    rest_scores: dict[int, list[float]] = defaultdict(list)
    picks: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for version_id, response, score, total in session.execute(query):
        item = float(score or Decimal(0))
        item_scores[version_id].append(item)
        rest_scores[version_id].append(float(total or Decimal(0)) - item)
        for choice_id in picked_ids(response):
            picks[version_id][choice_id] += 1

    stats = []
    for version in versions:
        scores = item_scores.get(version.id, [])
        if not scores and version.number != version.question.current_version:
            continue  # an old version nobody answered
        points = float(version.points) or 1.0
        stat = ItemStat(version=version, responses=len(scores))
        if scores:
            stat.facility = sum(scores) / (len(scores) * points)
            stat.discrimination = pearson(scores, rest_scores[version.id])
        stat.choices = [
            ChoiceStat(
                text=choice.text,
                is_correct=choice.is_correct,
                picked=picks[version.id][choice.id],
                share=picks[version.id][choice.id] / len(scores) if scores else 0.0,
            )
            for choice in version.choices
        ]
        stats.append(stat)
    return stats
