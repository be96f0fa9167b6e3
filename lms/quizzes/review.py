"""What a learner sees of a submitted attempt, as the quiz's review settings allow.

Four settings (`Quiz.review_policy`, from the quiz file's `review`), each
``after_each_attempt``, ``after_passing_or_last_attempt`` or ``never``:

- score: the attempt's score and result;
- correctness: which questions were right;
- answers: the correct answers;
- feedback: question and choice feedback (which often states the answer, so summative
  quizzes may not show it before the answers; `lms courses check` enforces that).

Nothing here is ever built for an attempt still in progress: answer keys and feedback
only leave the server after submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lms.models import Attempt, AttemptStatus, GradeStatus, Quiz
from lms.quizzes.attempts import AttemptError, laid_out_questions
from lms.quizzes.grading import QuizOutcome, attempt_percent
from lms.quizzes.policy import settings

HIDDEN_NOTE = {
    "never": "This quiz does not show {what}.",
    "after_passing_or_last_attempt": "{What} shown once you pass this quiz, or after your "
    "last attempt.",
}


def review_policy(quiz: Quiz) -> dict[str, str]:
    """The quiz's review settings (a quiz synced by an earlier version may store the first
    version's keys; they are read the same way as in a quiz file)."""
    return settings(quiz.review_policy)


def shown(setting: str, outcome: QuizOutcome) -> bool:
    """Whether something shown `setting` is visible to this learner now."""
    if setting == "after_each_attempt":
        return True
    if setting == "after_passing_or_last_attempt":
        return outcome.passed or (outcome.attempts_left == 0 and outcome.open_attempt is None)
    return False


def correct_answers_visible(quiz: Quiz, outcome: QuizOutcome) -> bool:
    """Whether the settings let this learner see the correct answers now."""
    return shown(review_policy(quiz)["answers"], outcome)


def hidden_note(setting: str, what: str) -> str | None:
    """Why something is not shown (yet), for the review page."""
    template = HIDDEN_NOTE.get(setting)
    if template is None:
        return None
    plural = what.endswith("s")
    return template.format(what=what, What=what.capitalize() + (" are" if plural else " is"))


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
    #: The attempt's score and result.
    show_score: bool
    #: Which questions were right.
    show_correctness: bool
    show_feedback: bool
    show_correct_answers: bool
    #: Why something is hidden, one sentence each.
    hidden_notes: list[str]
    items: list[ReviewItem]

    @property
    def show_results(self) -> bool:
        return self.show_score

    @property
    def awaiting_grading(self) -> bool:
        return self.attempt.status is AttemptStatus.AWAITING_GRADING


def build_review(attempt: Attempt, outcome: QuizOutcome) -> AttemptReview:
    """The review of a submitted attempt; raises AttemptError while it is in progress."""
    if attempt.status is AttemptStatus.IN_PROGRESS:
        raise AttemptError("Submit the attempt to see its review.")
    policy = review_policy(attempt.quiz)
    show_score = shown(policy["score"], outcome)
    show_correctness = shown(policy["correctness"], outcome)
    show_feedback = shown(policy["feedback"], outcome)
    show_answers = shown(policy["answers"], outcome)
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
        if show_correctness and not awaiting and q.answer is not None:
            score = q.answer.score if q.answer.score is not None else Decimal(0)
        items.append(
            ReviewItem(
                number=q.number,
                prompt=q.version.prompt,
                points=q.version.points,
                auto_graded=q.kind.auto_graded,
                response_text=q.kind.describe(q.version, response),
                score=score,
                is_correct=q.answer.is_correct if show_correctness and q.answer else None,
                awaiting_grade=awaiting,
                feedback=feedback,
                correct_answer=q.kind.explain(q.version) if show_answers else None,
                grader_feedback=grade.feedback if released and grade and grade.feedback else None,
            )
        )
    hidden = [
        hidden_note(setting, what)
        for setting, visible, what in (
            (policy["score"], show_score, "your score"),
            (policy["correctness"], show_correctness, "which answers were right"),
            (policy["answers"], show_answers, "the correct answers"),
            (policy["feedback"], show_feedback, "feedback on each question"),
        )
        if not visible
    ]
    return AttemptReview(
        attempt=attempt,
        percent=attempt_percent(attempt) if show_score else None,
        show_score=show_score,
        show_correctness=show_correctness,
        show_feedback=show_feedback,
        show_correct_answers=show_answers,
        hidden_notes=[note for note in hidden if note],
        items=items,
    )
