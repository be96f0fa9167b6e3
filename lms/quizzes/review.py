"""What a learner sees of a submitted attempt, as the quiz's review policy allows.

The policy (`Quiz.review_policy`) comes from the quiz file:
``{"results": bool, "feedback": bool, "correct_answers": never | after_submit |
after_pass | after_last_attempt}``. Nothing here is ever built for an attempt still in
progress: answer keys and feedback only leave the server after submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lms.models import Attempt, AttemptStatus, GradeStatus, Quiz
from lms.quizzes.attempts import AttemptError, laid_out_questions
from lms.quizzes.grading import QuizOutcome, attempt_percent

DEFAULT_POLICY: dict[str, Any] = {
    "results": True,
    "feedback": True,
    "correct_answers": "after_pass",
}

HIDDEN_ANSWERS_NOTE = {
    "never": "This quiz does not show the correct answers.",
    "after_pass": "The correct answers are shown once you pass this quiz.",
    "after_last_attempt": "The correct answers are shown after your last attempt.",
}


#: Why a quiz with feedback shows none yet.
FEEDBACK_WITH_ANSWERS = "Feedback on each question is shown with them."


def review_policy(quiz: Quiz) -> dict[str, Any]:
    return DEFAULT_POLICY | (quiz.review_policy or {})


def correct_answers_visible(quiz: Quiz, outcome: QuizOutcome) -> bool:
    """Whether the policy lets this learner see the correct answers now."""
    rule = review_policy(quiz)["correct_answers"]
    if rule == "after_submit":
        return True
    if rule == "after_pass":
        return outcome.passed
    if rule == "after_last_attempt":
        return outcome.attempts_left == 0 and outcome.open_attempt is None
    return False


@dataclass(frozen=True)
class ReviewItem:
    number: int
    prompt: str
    points: Decimal
    auto_graded: bool
    response_text: str
    #: None when results are hidden or the answer waits for an instructor.
    score: Decimal | None
    is_correct: bool | None
    awaiting_grade: bool
    feedback: list[str]
    correct_answer: str | None
    #: The instructor's released comment on an essay.
    grader_feedback: str | None


@dataclass(frozen=True)
class AttemptReview:
    attempt: Attempt
    percent: Decimal | None
    show_results: bool
    show_feedback: bool
    show_correct_answers: bool
    hidden_answers_note: str | None
    items: list[ReviewItem]

    @property
    def awaiting_grading(self) -> bool:
        return self.attempt.status is AttemptStatus.AWAITING_GRADING


def build_review(attempt: Attempt, outcome: QuizOutcome) -> AttemptReview:
    """The review of a submitted attempt; raises AttemptError while it is in progress."""
    if attempt.status is AttemptStatus.IN_PROGRESS:
        raise AttemptError("Submit the attempt to see its review.")
    policy = review_policy(attempt.quiz)
    show_results = bool(policy["results"])
    show_answers = correct_answers_visible(attempt.quiz, outcome)
    # Question and choice feedback explains the answers, so it never shows while the
    # correct answers are hidden (a stopgap until separate review settings arrive).
    show_feedback = bool(policy["feedback"]) and show_answers
    items = []
    for q in laid_out_questions(attempt):
        response = q.response
        grade = q.answer.grade if q.answer is not None else None
        released = grade is not None and grade.status is GradeStatus.RELEASED
        awaiting = not q.kind.auto_graded and not released
        feedback: list[str] = []
        if show_feedback:
            if q.version.feedback:
                feedback.append(q.version.feedback)
            chosen = set(response if isinstance(response, list) else [response])
            feedback += [c.feedback for c in q.version.choices if c.id in chosen and c.feedback]
        score = None
        if show_results and not awaiting and q.answer is not None:
            score = q.answer.score if q.answer.score is not None else Decimal(0)
        items.append(
            ReviewItem(
                number=q.number,
                prompt=q.version.prompt,
                points=q.version.points,
                auto_graded=q.kind.auto_graded,
                response_text=q.kind.describe(q.version, response),
                score=score,
                is_correct=q.answer.is_correct if show_results and q.answer else None,
                awaiting_grade=awaiting,
                feedback=feedback,
                correct_answer=q.kind.explain(q.version) if show_answers else None,
                grader_feedback=grade.feedback if released and grade and grade.feedback else None,
            )
        )
    note = None if show_answers else HIDDEN_ANSWERS_NOTE.get(policy["correct_answers"])
    if note and policy["feedback"]:
        note += " " + FEEDBACK_WITH_ANSWERS
    return AttemptReview(
        attempt=attempt,
        percent=attempt_percent(attempt),
        show_results=show_results,
        show_feedback=show_feedback,
        show_correct_answers=show_answers,
        hidden_answers_note=note,
        items=items,
    )
