"""The two courses shipped in courses/: they check clean and have the shape the product
needs (self-paced essentials; weekly cohort course with live sessions and reflections)."""

from __future__ import annotations

from collections import Counter

import pytest

from lms.content import schema
from lms.content.loader import (
    CourseSource,
    EvaluationSource,
    LessonSource,
    QuizSource,
    load_courses,
)
from lms.resources import bundled_courses_dir

ARTICLE_SECTIONS = {
    "Introduction",
    "The History of Ketamine",
    "Ketamine in the Research",
    "What Ketamine Feels Like",
    "Anxiety, PTSD and the Body",
    "Challenging Experiences",
    "Set and Setting",
    "Contraindications",
    "Is Ketamine a Psychedelic?",
    "Ketamine in Psychedelic-Assisted Therapy for Anxiety",
    "How to Work with Ketamine for Anxiety",
    "The Practitioner",
}
#: Beside the article, a course may cite the regulatory sources on its references page,
#: and its own scope rules (what it does not prepare learners to do).
REGULATORY = "Regulatory sources"
SCOPE = "Course scope (Limits and risks lesson)"
BEYOND_ARTICLE = {REGULATORY, SCOPE}


@pytest.fixture(scope="module")
def courses() -> dict[str, CourseSource]:
    result = load_courses(bundled_courses_dir())
    assert result.problems == []
    return {source.course.slug: source for source in result.courses}


def quizzes(course: CourseSource) -> list[schema.QuizFile]:
    return [i.quiz for m in course.modules for i in m.items if isinstance(i, QuizSource)]


def lessons(course: CourseSource) -> list[LessonSource]:
    return [i for m in course.modules for i in m.items if isinstance(i, LessonSource)]


def test_both_courses_are_shipped(courses: dict[str, CourseSource]) -> None:
    assert set(courses) == {
        "essentials-of-psychedelic-care",
        "relational-psychedelic-assisted-therapy",
    }


def test_every_question_cites_an_article_section_and_all_sections_are_covered(
    courses: dict[str, CourseSource],
) -> None:
    for course in courses.values():
        assert set(course.course.sources) - BEYOND_ARTICLE == ARTICLE_SECTIONS
        cited = {q.source for quiz in quizzes(course) for q in quiz.questions}
        assert cited <= ARTICLE_SECTIONS | BEYOND_ARTICLE
        assert cited >= ARTICLE_SECTIONS, (
            f"{course.course.slug} never tests {ARTICLE_SECTIONS - cited}"
        )
        assert all(q.feedback.strip() for quiz in quizzes(course) for q in quiz.questions)


def test_each_course_says_it_is_not_medical_advice(courses: dict[str, CourseSource]) -> None:
    for course in courses.values():
        assert "not medical advice" in course.course.disclaimer.lower()


def test_self_paced_course_shape(courses: dict[str, CourseSource]) -> None:
    course = courses["essentials-of-psychedelic-care"]
    assert course.course.track == "self-paced"
    assert course.course.ce_hours > 0
    assert 6 <= len(course.modules) <= 8
    assert all(5 <= lesson.meta.minutes <= 12 for lesson in lessons(course))
    for module in course.modules[:-1]:
        assert any(isinstance(i, QuizSource) for i in module.items), module.module.slug
    final = quizzes(course)[-1]
    assert final.slug == "final-assessment"
    assert final.pass_mark >= 75
    types = Counter(q.type for quiz in quizzes(course) for q in quiz.questions)
    assert {"single", "multiple", "true_false", "short_answer", "numeric"} <= set(types)
    assert "essay" not in types


def test_cohort_course_shape(courses: dict[str, CourseSource]) -> None:
    course = courses["relational-psychedelic-assisted-therapy"]
    assert course.course.track == "cohort"
    assert 4 <= len(course.modules) <= 6
    assert [m.module.week for m in course.modules] == list(range(1, len(course.modules) + 1))
    for module in course.modules:
        kinds = [i.meta.kind for i in module.items if isinstance(i, LessonSource)]
        assert kinds.count("live-session") == 1, module.module.slug
        assert kinds.count("lesson") >= 1
        module_quizzes = [i.quiz for i in module.items if isinstance(i, QuizSource)]
        question_types = {q.type for quiz in module_quizzes for q in quiz.questions}
        assert "essay" in question_types
        assert question_types - {"essay"}, "each week has an auto-graded knowledge check"
        for quiz in module_quizzes:
            for question in quiz.questions:
                if isinstance(question, schema.EssayQuestion):
                    assert len(question.rubric) >= 2


def test_self_paced_final_is_a_blueprinted_pool_whose_feedback_points_to_lessons(
    courses: dict[str, CourseSource],
) -> None:
    course = courses["essentials-of-psychedelic-care"]
    objectives = set(course.course.objectives or {})
    final = quizzes(course)[-1]
    assert final.summative and final.draw is not None
    assert final.draw < len(final.questions)  # each attempt a different paper
    per_objective = Counter(q.objective for q in final.questions)
    assert set(per_objective) == objectives  # every outcome on the blueprint
    safety = sum(per_objective[o] for o in ("challenge", "contraindications", "limits"))
    assert safety / len(final.questions) >= 0.25
    for question in final.questions:  # feedback sends the learner back to a lesson
        assert question.feedback.startswith("Revise "), question.slug
    answers = final.review.answers
    assert final.review.feedback == answers == "after_passing_or_last_attempt"


def test_self_paced_course_has_an_evaluation_of_each_outcome_and_ce_pages(
    courses: dict[str, CourseSource],
) -> None:
    course = courses["essentials-of-psychedelic-care"]
    [evaluation] = [
        item.evaluation
        for module in course.modules
        for item in module.items
        if isinstance(item, EvaluationSource)
    ]
    slugs = {q.slug for q in evaluation.questions}
    assert {f"outcome-{o}" for o in course.course.objectives or {}} <= slugs
    assert {"relevance", "balance", "commercial-bias", "change-in-practice"} <= slugs
    assert {"references.md", "glossary.md"} <= set(course.course.pages)
    assert "limits-and-risks" in {lesson.meta.slug for lesson in lessons(course)}
    assert course.course.instructional_level
    assert "not clinical training" in (course.course.description or "")


def key_is_strictly_longest(question: schema.SingleChoiceQuestion) -> bool:
    [key] = [c for c in question.choices if c.correct]
    return all(len(key.text) > len(c.text) for c in question.choices if c is not key)


def test_picking_the_longest_choice_does_not_pass_a_quiz(
    courses: dict[str, CourseSource],
) -> None:
    """A test-wise learner who always picks the longest choice must not find the answers:
    in every quiz with four or more single-choice items, the keyed choice is the strictly
    longest in at most half of them."""
    for course in courses.values():
        for quiz in quizzes(course):
            singles = [q for q in quiz.questions if isinstance(q, schema.SingleChoiceQuestion)]
            if len(singles) < 4:
                continue
            longest = [q.slug for q in singles if key_is_strictly_longest(q)]
            assert len(longest) * 2 <= len(singles), (
                f"{course.course.slug}/{quiz.slug}: the key is the longest choice in "
                f"{len(longest)} of {len(singles)} single-choice items: {longest}"
            )


def test_every_source_name_is_mapped_on_the_references_page(
    courses: dict[str, CourseSource],
) -> None:
    """A reviewer can look up every `source:` a question cites, the article's sections and
    the sources beyond the article alike, in the course's references page."""
    for course in courses.values():
        references = (course.path / "pages" / "references.md").read_text(encoding="utf-8")
        rows = {
            line.split("|")[1].strip() for line in references.splitlines() if line.startswith("| ")
        }
        missing = set(course.course.sources) - rows
        assert not missing, f"{course.course.slug}: references page does not map {missing}"
