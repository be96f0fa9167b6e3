"""Quiz attempts as a learner would leave them: laid out (shuffled as the quiz says),
answered right or wrong, auto-graded at submission, and essays graded by an instructor
(draft or released, with the notification a release sends)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import lms.models as m
from lms.quizzes.attempts import draw_questions
from lms.quizzes.grading import passes
from lms.quizzes.types import question_type
from lms.seeding.facts import QuizFacts
from lms.seeding.writer import TABLE_ORDER, Writer

WORDS = str.split(
    "client relationship ketamine anxiety session integration safety consent trust body "
    "breath fear curiosity setting preparation prescriber scope culture trauma informed care "
    "notice pause reflect meaning story support follow-up boundaries team protocol honest "
    "listen explore feeling memory shift dissociation grounding practice supervision ethics "
    "collaborate invite name uncertainty hope expectation language evidence research"
)
FEEDBACK = [
    "Thoughtful and honest; the scope section could say more about the prescriber's role.",
    "Clear relational focus. Ground the history in the course's facts a little more.",
    "Good use of the vignette. Consider how consent is revisited during the session.",
]


class AttemptMaker:
    """Writes attempts, answers and grades through a `Writer`."""

    def __init__(self, writer: Writer, rng: random.Random, now: datetime) -> None:
        self.w, self.rng, self.now = writer, rng, now
        self.t = {t.name: t for t in TABLE_ORDER}

    def layout(self, quiz: QuizFacts) -> list[dict[str, Any]]:
        versions = list(quiz.versions)
        if quiz.draw:
            versions = draw_questions(versions, quiz.draw, self.rng, lambda v: v.objective)
        if quiz.shuffle:
            self.rng.shuffle(versions)
        layout = []
        for version in versions:
            ids = [c.id for c in version.choices]
            if quiz.shuffle:
                self.rng.shuffle(ids)
            layout.append({"version_id": version.id, "choice_ids": ids})
        return layout

    def response(self, version: m.QuestionVersion, right: bool) -> Any:
        """A response in the type's stored shape, right or wrong as asked."""
        kind, settings = version.type, version.settings
        choices = [c.id for c in version.choices]
        correct = [c.id for c in version.choices if c.is_correct]
        if kind is m.QuestionType.SINGLE:
            wrong = [c for c in choices if c not in correct]
            return correct[0] if right or not wrong else self.rng.choice(wrong)
        if kind is m.QuestionType.MULTIPLE:
            if right:
                return sorted(correct)
            flipped = self.rng.choice(choices)
            return sorted(set(correct) ^ {flipped})
        if kind is m.QuestionType.TRUE_FALSE:
            return bool(settings.get("answer")) == right
        if kind is m.QuestionType.SHORT_ANSWER:
            accepted = settings.get("accepted") or ["answer"]
            return accepted[0] if right else "not sure"
        if kind is m.QuestionType.NUMERIC:
            answer = Decimal(str(settings.get("answer", 0)))
            value = answer if right else answer + Decimal(str(settings.get("tolerance") or 0)) + 7
            return int(value) if value == value.to_integral_value() else float(value)
        return self.essay()

    def essay(self) -> str:
        words = [self.rng.choice(WORDS) for _ in range(self.rng.randint(160, 320))]
        sentences = [
            " ".join(words[i : i + 12]).capitalize() + "." for i in range(0, len(words), 12)
        ]
        return " ".join(sentences)

    def attempt(
        self,
        quiz: QuizFacts,
        profile_id: int,
        number: int,
        started_at: datetime,
        *,
        skill: float,
        submit: bool = True,
        grade: str = "none",  # essays: "none", "draft" or "released"
        grader_id: int | None = None,
    ) -> tuple[int, bool | None, list[dict[str, Any]]]:
        """One attempt with an answer per question; returns (id, passed, layout)."""
        layout = self.layout(quiz)
        by_id = {v.id: v for v in quiz.versions}
        max_score = sum((by_id[item["version_id"]].points for item in layout), Decimal(0))
        submitted_at = started_at + timedelta(minutes=self.rng.randint(4, 40)) if submit else None
        deadline = started_at + timedelta(minutes=quiz.time_limit) if quiz.time_limit else None
        if deadline and submitted_at and submitted_at > deadline:
            submitted_at = deadline
        answers, total, essays_released = [], Decimal(0), True
        rubric_scores: dict[int, dict[str, int]] = {}
        for item in layout:
            version = by_id[item["version_id"]]
            auto = question_type(version).auto_graded
            answered = self.rng.random() < (0.97 if submit else 0.6) or not auto
            response = self.response(version, self.rng.random() < skill) if answered else None
            row: dict[str, Any] = {
                "question_version_id": version.id,
                "response": response,
                "saved_at": (submitted_at or started_at + timedelta(minutes=3)),
                "score": None,
                "is_correct": None,
                "revision": 1,
                "returned_at": None,
            }
            if submit and auto:
                result = question_type(version).grade(version, response)
                row["score"], row["is_correct"] = result.score, result.is_correct
                total += result.score or 0
            if submit and not auto and grade != "none":
                rubric_scores[version.id] = {
                    str(c.id): max(int(c.points) - self.rng.choice([0, 0, 1, 1, 2]), 0)
                    for c in version.rubric
                }
            if submit and not auto:
                if grade == "released":
                    row["score"] = Decimal(sum(rubric_scores[version.id].values()))
                    total += row["score"]
                else:
                    essays_released = False
            answers.append(row)
        if not submit:
            status, score, passed = m.AttemptStatus.IN_PROGRESS, None, None
        elif quiz.has_essay and not essays_released:
            status, score, passed = m.AttemptStatus.AWAITING_GRADING, None, None
        else:
            status, score = m.AttemptStatus.GRADED, total
            passed = passes(total, max_score, quiz.pass_mark)
        attempt_id = self.w.add(
            self.t["lms_attempt"],
            quiz_id=quiz.id,
            profile_id=profile_id,
            number=number,
            status=status,
            started_at=started_at,
            deadline_at=deadline,
            submitted_at=submitted_at,
            score=score,
            max_score=max_score,
            passed=passed,
            layout=layout,
        )
        for row in answers:
            answer_id = self.w.add(self.t["lms_answer"], attempt_id=attempt_id, **row)
            version = by_id[row["question_version_id"]]
            if version.id in rubric_scores:
                self.grade(answer_id, rubric_scores[version.id], grade, grader_id, submitted_at)
        if grade == "released" and quiz.has_essay and submit:
            read = self.now - timedelta(days=1) if self.rng.random() < 0.7 else None
            self.w.add(
                self.t["lms_notification"],
                profile_id=profile_id,
                message="Your reflection has feedback from your instructor.",
                link=f"/attempts/{attempt_id}/review",
                created_at=min(submitted_at + timedelta(days=2), self.now),  # type: ignore[operator]
                read_at=read,
            )
        return attempt_id, passed, layout

    def grade(
        self,
        answer_id: int,
        scores: dict[str, int],
        status: str,
        grader_id: int | None,
        submitted_at: datetime | None,
    ) -> None:
        """An instructor's grade of an essay (rubric points per criterion), draft or released."""
        assert grader_id is not None
        assert submitted_at is not None
        total = Decimal(sum(scores.values()))
        graded_at = min(submitted_at + timedelta(days=1), self.now)
        self.w.add(
            self.t["lms_grade"],
            answer_id=answer_id,
            grader_id=grader_id,
            score=total,
            criterion_scores=scores,
            feedback=self.rng.choice(FEEDBACK),
            status=m.GradeStatus.RELEASED if status == "released" else m.GradeStatus.DRAFT,
            graded_at=graded_at,
            released_at=graded_at if status == "released" else None,
            version=1,
        )

    # a cohort learner --------------------------------------------------------------------
