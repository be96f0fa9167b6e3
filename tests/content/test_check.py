"""`check_courses`: every kind of mistake in courses/README.md, with its file and line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter

from lms.content import schema
from lms.content.loader import (
    LessonSource,
    Problem,
    QuizSource,
    check_courses,
    load_courses,
)
from lms.content.yamlsource import split_front_matter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "courses"
README = Path(__file__).resolve().parents[2] / "courses" / "README.md"
QUIZ = "01-basics/check.quiz.yml"
LESSON = "01-basics/01-welcome.md"
MODULE = "01-basics/module.yml"

# fixture folder -> every problem it must produce: (file relative to the folder, line, phrase)
CASES: dict[str, list[tuple[str, int | None, str]]] = {
    "yaml-syntax": [(QUIZ, 2, "YAML syntax error: mapping values are not allowed")],
    "front-matter-missing": [(LESSON, 1, "does not start with a '---' header line")],
    "front-matter-unclosed": [(LESSON, 1, "never closed")],
    "front-matter-yaml": [(LESSON, 4, "YAML syntax error")],
    "unknown-key": [
        (QUIZ, 4, "unknown key 'pass_mrak' in quiz"),
        (QUIZ, 1, "missing required key 'pass_mark' in quiz"),
    ],
    "missing-key": [(LESSON, 2, "missing required key 'minutes' in lesson header")],
    "wrong-type": [(LESSON, 4, "'minutes' should be a whole number, not 'five'")],
    "duplicate-yaml-key": [(MODULE, 4, "key 'title' appears twice (first on line 2)")],
    "unknown-question-type": [(QUIZ, 36, "unknown question type 'truefalse'")],
    "no-correct-choice": [(QUIZ, 18, "question 'first-used': no choice is marked correct")],
    "many-correct-choices": [(QUIZ, 18, "2 choices are marked correct")],
    "too-few-choices": [(QUIZ, 18, "needs at least 2 choices, but has 1")],
    "duplicate-course-slug": [
        ("b-second/course.yml", 1, "course slug 'good-course' is already used at "),
    ],
    "duplicate-module-slug": [
        ("02-more/module.yml", 1, "module slug 'basics' is already used at "),
    ],
    "duplicate-lesson-slug": [
        ("01-basics/03-again.md", 3, "lesson slug 'welcome' is already used at "),
    ],
    "duplicate-quiz-slug": [
        ("01-basics/again.quiz.yml", 1, "quiz slug 'basics-check' is already used at "),
    ],
    "duplicate-question-slug": [(QUIZ, 24, "question slug 'first-used' is already used at ")],
    "missing-course-yml": [("half-done", None, "looks like a course but has no course.yml")],
    "missing-module-yml": [("01-basics", None, "module folder '01-basics' has no module.yml")],
    "missing-module-folder": [("course.yml", 22, "module folder '02-missing' does not exist")],
    "missing-item": [(MODULE, 9, "item '03-extra.md' does not exist")],
    "unsupported-extension": [(MODULE, 9, "'notes.txt' is neither a lesson (.md) nor a quiz")],
    "unlisted-file": [("01-basics/03-draft.md", None, "is not listed in module.yml")],
    "pass-mark-range": [(QUIZ, 4, "'pass_mark' must be at most 100, not 150")],
    "minutes-zero": [(LESSON, 4, "'minutes' must be at least 1, not 0")],
    "points-zero": [(QUIZ, 17, "'points' of question 'first-used' must be at least 1")],
    "attempts-zero": [(QUIZ, 5, "'attempts' must be at least 1, not 0")],
    "words-range": [(QUIZ, 58, "min_words (300) is more than max_words (200)")],
    "negative-tolerance": [(QUIZ, 51, "'tolerance' of question 'how-many' must be at least 0")],
    "essay-points": [(QUIZ, 56, "essay's points (4) differ from its rubric total (5)")],
    "unknown-source": [(QUIZ, 40, "source 'Histroy' is not one of the course's sources")],
    "broken-lesson-link": [(LESSON, 11, "no lesson in this course has the slug 'live-sesion'")],
    "broken-quiz-description-link": [(QUIZ, 3, "no lesson in this course has the slug 'welcom'")],
    "broken-course-description-link": [
        ("course.yml", 8, "no quiz in this course has the slug 'welcome'"),
    ],
    "completion-unknown-quiz": [("course.yml", 15, "completion requires quiz 'basics-chek'")],
}


def located(problems: list[Problem], folder: Path) -> list[tuple[str, int | None, str]]:
    return [(p.path.relative_to(folder).as_posix(), p.line, p.message) for p in problems]


def test_good_course_has_no_problems() -> None:
    assert check_courses(FIXTURES / "good") == []


def test_good_course_loads_in_file_order() -> None:
    result = load_courses(FIXTURES / "good")
    assert result.ok
    [course] = result.courses
    assert course.path == FIXTURES / "good"
    assert course.course.slug == "good-course"
    assert course.course.completion.quizzes == ["basics-check"]
    [module] = course.modules
    assert module.module.slug == "basics"
    assert [type(item) for item in module.items] == [LessonSource, LessonSource, QuizSource]
    welcome, session, check = module.items
    assert isinstance(welcome, LessonSource)
    assert isinstance(session, LessonSource)
    assert isinstance(check, QuizSource)
    assert (welcome.meta.slug, welcome.meta.kind) == ("welcome", "lesson")
    assert session.meta.kind == "live-session"
    assert welcome.body_line == 8
    assert welcome.body.splitlines()[1] == "# Welcome"
    quiz = check.quiz
    assert [q.type for q in quiz.questions] == list(schema.QUESTION_TYPES)
    assert [q.max_points for q in quiz.questions] == [1, 1, 1, 1, 1, 5]
    # The file says correct_answers: after_submit (the first version's key), which reads as
    # answers after each attempt; old `feedback: true` follows the answers, never earlier.
    assert (quiz.review.answers, quiz.review.feedback) == ("after_each_attempt",) * 2


def test_content_hash_follows_the_question() -> None:
    [course] = load_courses(FIXTURES / "good").courses
    check = course.modules[0].items[2]
    assert isinstance(check, QuizSource)
    question = check.quiz.questions[0]
    assert isinstance(question, schema.SingleChoiceQuestion)
    same = schema.SingleChoiceQuestion.model_validate(question.model_dump())
    changed = question.model_copy(update={"prompt": "Since which year?"})
    assert len(question.content_hash()) == 64
    assert same.content_hash() == question.content_hash()
    assert changed.content_hash() != question.content_hash()
    assert len({q.content_hash() for q in check.quiz.questions}) == len(check.quiz.questions)


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_each_mistake_is_reported_with_file_and_line(fixture: str) -> None:
    folder = FIXTURES / fixture
    problems = check_courses(folder)
    found = located(problems, folder)
    assert len(found) == len(CASES[fixture]), found
    for file, line, phrase in CASES[fixture]:
        matches = [f for f in found if f[0] == file and f[1] == line and phrase in f[2]]
        assert matches, (file, line, phrase, found)
    for problem in problems:
        assert problem.hint


def test_duplicates_name_the_first_occurrence() -> None:
    folder = FIXTURES / "duplicate-question-slug"
    [problem] = check_courses(folder)
    assert f"{folder / QUIZ}:14" in problem.message
    [problem] = check_courses(FIXTURES / "duplicate-course-slug")
    assert f"{FIXTURES / 'duplicate-course-slug' / 'a-first' / 'course.yml'}:1" in problem.message


def test_unknown_key_suggests_the_right_one() -> None:
    problems = check_courses(FIXTURES / "unknown-key")
    [unknown] = [p for p in problems if "unknown key" in p.message]
    assert "did you mean 'pass_mark'?" in unknown.hint
    assert "allowed keys: slug, title, description, pass_mark" in unknown.hint


def test_unknown_question_type_names_the_allowed_ones() -> None:
    [problem] = check_courses(FIXTURES / "unknown-question-type")
    assert problem.hint == "use one of: single, multiple, true_false, short_answer, numeric, essay"


def test_several_mistakes_in_several_files_are_all_reported_in_one_run() -> None:
    folder = FIXTURES / "several-mistakes"
    found = {(file, line) for file, line, _ in located(check_courses(folder), folder)}
    assert found == {
        ("course.yml", 3),  # track: selfpaced
        (MODULE, 9),  # 03-extra.md does not exist
        (LESSON, 4),  # minutes: 0
        ("01-basics/02-session.md", 8),  # unknown key 'level'
        (QUIZ, 4),  # pass_mrak
        (QUIZ, 1),  # ... so pass_mark is missing
        (QUIZ, 51),  # tolerance: -1
    }


def test_a_broken_file_does_not_stop_the_rest_of_the_course_being_checked(
    tmp_path: Path,
) -> None:
    course = tmp_path / "course"
    shutil.copytree(FIXTURES / "good", course)
    (course / "course.yml").write_text("slug: [unclosed\n")
    lesson = course / LESSON
    lesson.write_text(lesson.read_text().replace("minutes: 5", "minutes: 99"))
    found = {(file, line) for file, line, _ in located(check_courses(course), course)}
    assert found == {("course.yml", 2), (LESSON, 4)}


def test_folder_without_any_course(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    [problem] = check_courses(tmp_path)
    assert problem.path == tmp_path
    assert problem.line is None
    assert "no course found" in problem.message


def test_tree_of_courses_loads_each_course(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "good", tmp_path / "one")
    shutil.copytree(FIXTURES / "good", tmp_path / "two")
    course = tmp_path / "two" / "course.yml"
    course.write_text(course.read_text().replace("slug: good-course", "slug: second-course"))
    (tmp_path / "README.md").write_text("Not a course.\n")
    result = load_courses(tmp_path)
    assert result.ok, result.problems
    assert [c.course.slug for c in result.courses] == ["good-course", "second-course"]


def test_problem_reads_as_file_line_message_hint() -> None:
    problem = Problem(Path("courses/x/m1/check.quiz.yml"), 4, "unknown key 'a'", "use b")
    assert str(problem) == "courses/x/m1/check.quiz.yml:4: unknown key 'a' (hint: use b)"
    assert str(Problem(Path("courses/x"), None, "oops", "")) == "courses/x: oops"


def test_check_is_load_problems() -> None:
    folder = FIXTURES / "several-mistakes"
    assert check_courses(folder) == load_courses(folder).problems
    assert not load_courses(folder).ok


def test_the_examples_in_the_format_spec_are_valid() -> None:
    blocks = re.findall(r"```(yaml|markdown)\n(.*?)```", README.read_text(), re.DOTALL)
    kinds = []
    for language, text in blocks:
        if language == "markdown":
            header = split_front_matter(text).header
            kinds.append(type(schema.LessonMeta.model_validate(yaml.safe_load(header))))
            continue
        data = yaml.safe_load(text)
        if isinstance(data, list):  # the essay example is a list of questions
            kinds.extend(type(q) for q in TypeAdapter(list[schema.Question]).validate_python(data))
        elif "modules" in data:
            kinds.append(type(schema.CourseFile.model_validate(data)))
        elif "items" in data:
            kinds.append(type(schema.ModuleFile.model_validate(data)))
        else:
            kinds.append(type(schema.QuizFile.model_validate(data)))
    assert kinds == [
        schema.CourseFile,
        schema.ModuleFile,
        schema.LessonMeta,
        schema.QuizFile,
        schema.EssayQuestion,
    ]
