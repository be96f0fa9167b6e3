"""Evaluation results for staff: totals per question and comments, never names.

With fewer than `MIN_RESPONSES` responses only the number of responses is shown: in a
small group, answers could point to the person who gave them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from lms.database import session
from lms.evaluations.service import LIKERT
from lms.models import Evaluation, EvaluationQuestion, EvaluationResponse

MIN_RESPONSES = 5


@dataclass
class QuestionResult:
    question: EvaluationQuestion
    #: (label, count) in the scale's or the options' order
    counts: list[tuple[str, int]] = field(default_factory=list)
    #: likert: mean on the 1-5 scale
    mean: Decimal | None = None
    comments: list[str] = field(default_factory=list)
    answered: int = 0


@dataclass
class EvaluationResults:
    evaluation: Evaluation
    responses: int
    questions: list[QuestionResult]

    @property
    def shown(self) -> bool:
        return self.responses >= MIN_RESPONSES


def evaluation_results(
    evaluation: Evaluation, cohort_ids: Collection[int | None] | None
) -> EvaluationResults:
    """Results of the responses from these cohorts (None in the list: self-paced
    learners; `cohort_ids` None: every response)."""
    query = sa.select(EvaluationResponse.answers).where(
        EvaluationResponse.evaluation_id == evaluation.id
    )
    if cohort_ids is not None:
        ids = [c for c in cohort_ids if c is not None]
        condition = EvaluationResponse.cohort_id.in_(ids)
        if None in cohort_ids:
            condition = sa.or_(condition, EvaluationResponse.cohort_id.is_(None))
        query = query.where(condition)
    answers = [row for (row,) in session.execute(query)]
    results = []
    if len(answers) >= MIN_RESPONSES:
        results = [_result(question, answers) for question in evaluation.questions]
    return EvaluationResults(evaluation, len(answers), results)


def _result(question: EvaluationQuestion, answers: list[dict[str, object]]) -> QuestionResult:
    given = [a[question.slug] for a in answers if question.slug in a]
    result = QuestionResult(question, answered=len(given))
    if question.type == "likert":
        counts = Counter(v for v in given if isinstance(v, int))
        result.counts = [(label, counts.get(point, 0)) for point, label in enumerate(LIKERT, 1)]
        total = sum(counts.values())
        if total:
            mean = Decimal(sum(p * n for p, n in counts.items())) / total
            result.mean = mean.quantize(Decimal("0.1"))
    elif question.type == "single":
        counts = Counter(v for v in given if isinstance(v, str))
        result.counts = [(option, counts.get(option, 0)) for option in question.options]
    else:
        # Sorted, so their order says nothing about when (or by whom) they were written.
        result.comments = sorted(v for v in given if isinstance(v, str) and v.strip())
    return result
