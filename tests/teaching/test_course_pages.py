"""Staff find a course's self-paced learners as easily as a cohort's: Teaching lists the
self-paced courses beside the cohorts, and a course's staff page leads to its learners,
gradebook, grading, question statistics and instructors."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms.database import session
from lms.gradebook.queries import PAGE_SIZE
from lms.learning.enrolment import enrol_self_paced
from lms.models import Course, Enrolment, Profile, course_instructor
from tests.ce.conftest import CE_COURSES
from tests.cohorts.conftest import People
from tests.learning.conftest import make_cohort


def links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def self_paced_learner(app: Flask, people: People, email: str, name: str) -> int:
    people.create(email, name=name)
    with app.app_context():
        profile = session.scalar(sa.select(Profile).where(Profile.email == email))
        course = session.scalar(sa.select(Course).where(Course.slug == "sp"))
        assert profile is not None and course is not None
        enrolment = enrol_self_paced(profile, course)
        session.commit()
        return enrolment.id


def test_teaching_lists_cohorts_and_self_paced_courses(app: Flask, people: People) -> None:
    make_cohort(app, name="Spring cohort")
    self_paced_learner(app, people, "sol@example.com", "Sol Learner")
    admin = people.sign_in("ada@example.com", "admin")
    page = admin.get("/teach/cohorts").get_data(as_text=True)
    assert "Spring cohort" in page
    assert ">Self-paced basics</a>" in page
    assert {"/teach/courses/sp", "/teach/courses/sp/learners", "/teach/courses/sp/gradebook"} <= (
        links(page)
    )
    # The admin home and the header lead there too.
    assert 'href="/admin"' in page


def test_the_course_page_leads_to_learners_gradebook_statistics_and_grading(
    app: Flask, people: People
) -> None:
    enrolment_id = self_paced_learner(app, people, "sol@example.com", "Sol Learner")
    admin = people.sign_in("ada@example.com", "admin")
    page = admin.get("/teach/courses/sp").get_data(as_text=True)
    assert "<h1>Self-paced basics</h1>" in page
    with app.app_context():
        course_id = session.scalar(sa.select(Course.id).where(Course.slug == "sp"))
    assert {
        "/teach/courses/sp/learners",
        "/teach/courses/sp/gradebook",
        "/teach/courses/sp/gradebook.csv",
        "/teach/courses/sp/progress.csv",
        "/teach/courses/sp/quizzes/check/statistics",
        f"/teach/grading?cohort=self-paced&amp;course={course_id}",
        "/teach/courses/sp/instructors",
    } <= links(page)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Learners 1 learner " in text
    # Evaluation results: none, as this course has no evaluation.
    assert "Evaluation results" not in page

    learners = admin.get("/teach/courses/sp/learners").get_data(as_text=True)
    assert "Sol Learner" in learners and "sol@example.com" in learners
    assert f"/teach/learners/{enrolment_id}" in links(learners)
    record = admin.get(f"/teach/learners/{enrolment_id}").get_data(as_text=True)
    assert "/teach/courses/sp/learners" in links(record)  # and back


def test_a_course_with_an_evaluation_links_to_its_results(
    app: Flask, people: People, runner: FlaskCliRunner
) -> None:
    """The staff pages of a course with an evaluation lead to its (anonymous) results."""
    result = runner.invoke(args=["lms", "courses", "sync", str(CE_COURSES)])
    assert result.exit_code == 0, result.output
    admin = people.sign_in("ada@example.com", "admin")
    page = admin.get("/teach/courses/cred").get_data(as_text=True)
    assert page.count('href="/teach/courses/cred/evaluations/evaluation"') == 2  # tab, list
    assert admin.get("/teach/courses/cred/evaluations/evaluation").status_code == 200


def test_instructors_see_only_the_courses_they_teach(app: Flask, people: People) -> None:
    self_paced_learner(app, people, "sol@example.com", "Sol Learner")
    iris = people.sign_in("iris@example.com", "instructor")
    assert "/teach/courses/sp" not in links(iris.get("/teach/cohorts").get_data(as_text=True))
    assert iris.get("/teach/courses/sp").status_code == 404
    assert iris.get("/teach/courses/sp/learners").status_code == 404

    # An admin assigns her to the course's self-paced learners.
    admin = people.sign_in("ada@example.com", "admin")
    with app.app_context():
        iris_id = session.scalar(sa.select(Profile.id).where(Profile.email == "iris@example.com"))
    form = admin.get("/teach/courses/sp/instructors").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert token
    done = admin.post(
        "/teach/courses/sp/instructors", data={"csrf_token": token.group(1), "person": iris_id}
    )
    assert done.status_code == 302
    assert "Iris" in admin.get("/teach/courses/sp/instructors").get_data(as_text=True)

    teaching = iris.get("/teach/cohorts").get_data(as_text=True)
    assert "/teach/courses/sp" in links(teaching)
    assert "Sol Learner" in iris.get("/teach/courses/sp/learners").get_data(as_text=True)
    # Only admins assign instructors.
    assert iris.get("/teach/courses/sp/instructors").status_code == 403
    # The dashboard's teaching summary lists the course too.
    assert "/teach/courses/sp" in links(iris.get("/dashboard").get_data(as_text=True))

    removed = admin.post(
        f"/teach/courses/sp/instructors/{iris_id}/remove", data={"csrf_token": token.group(1)}
    )
    assert removed.status_code == 302
    assert iris.get("/teach/courses/sp").status_code == 404
    with app.app_context():
        assert not session.execute(sa.select(course_instructor)).all()


def test_a_bad_instructor_choice_is_a_form_error(app: Flask, people: People) -> None:
    admin = people.sign_in("ada@example.com", "admin")
    form = admin.get("/teach/courses/sp/instructors").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert token
    for bad in ("999999", "not-a-number", ""):
        response = admin.post(
            "/teach/courses/sp/instructors", data={"csrf_token": token.group(1), "person": bad}
        )
        assert response.status_code == 400, bad
    assert admin.get("/teach/courses/nope/instructors").status_code == 404


def test_the_cohort_gradebook_is_among_the_cohort_tabs(
    app: Flask, people: People, client: FlaskClient
) -> None:
    cohort_id, _ = make_cohort(app)
    admin = people.sign_in("ada@example.com", "admin")
    overview = admin.get(f"/teach/cohorts/{cohort_id}").get_data(as_text=True)
    nav = overview[overview.index('aria-label="This cohort"') :]
    nav = nav[: nav.index("</nav>")]
    assert f'href="/teach/cohorts/{cohort_id}/gradebook"' in nav
    gradebook = admin.get(f"/teach/cohorts/{cohort_id}/gradebook").get_data(as_text=True)
    assert f'href="/teach/cohorts/{cohort_id}/gradebook" aria-current="page"' in gradebook
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Enrolment.id))) == 0


def test_a_courses_self_paced_learners_come_in_pages(app: Flask, people: People) -> None:
    """Thousands of self-paced learners are one course's list: 50 a page, by name."""
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "sp"))
        assert course is not None
        for n in range(PAGE_SIZE + 2):
            profile = Profile(user_id=f"sp-{n}", email=f"sp{n}@example.com")
            profile.display_name = f"Paced {n:03d}"
            session.add(profile)
            session.flush()
            enrol_self_paced(profile, course)
        session.commit()
    admin = people.sign_in("ada@example.com", "admin")
    first = admin.get("/teach/courses/sp/learners").get_data(as_text=True)
    assert f"{PAGE_SIZE + 2} self-paced learners" in first
    assert "Paced 000" in first and f"Paced {PAGE_SIZE:03d}" not in first
    assert "/teach/courses/sp/learners?page=2" in links(first)
    second = admin.get("/teach/courses/sp/learners?page=2").get_data(as_text=True)
    assert f"Paced {PAGE_SIZE + 1:03d}" in second and "Paced 000" not in second
    gradebook = admin.get("/teach/courses/sp/gradebook?page=2").get_data(as_text=True)
    assert f"Paced {PAGE_SIZE:03d}" in gradebook and "Page 2 of 2" in gradebook
