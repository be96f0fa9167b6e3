"""The seeded data follows a quiz's `draw`: each seeded attempt of a drawing quiz (the
two courses' final assessments) holds one drawn paper, as a learner's attempt does,
with the blueprint per objective and its score out of that paper's points."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import sqlalchemy as sa

from bench.seed import seed
from lms.database import session
from lms.models import Attempt, Quiz
from tests.conftest import make_test_app


def test_seeded_attempts_of_a_drawing_quiz_hold_one_paper(empty_database_url: str) -> None:
    seed(empty_database_url, 30, cohort_size=30)
    app = make_test_app(empty_database_url)
    with app.app_context():
        finals = session.scalars(sa.select(Quiz).where(Quiz.draw.is_not(None))).all()
        assert len(finals) == 2  # both courses' final assessments draw their papers
        checked = 0
        for final in finals:
            assert final.draw is not None
            pool = Counter(q.versions[-1].objective for q in final.questions)
            attempts = session.scalars(sa.select(Attempt).where(Attempt.quiz_id == final.id)).all()
            for attempt in attempts:
                asked = [answer.question_version for answer in attempt.answers]
                assert len(asked) == final.draw
                assert attempt.max_score == sum((v.points for v in asked), Decimal(0))
                paper = Counter(v.objective for v in asked)
                for objective, count in pool.items():
                    assert abs(paper[objective] - count * final.draw / len(final.questions)) < 1
                checked += 1
        assert checked, "the seeded learners reach a final assessment"
