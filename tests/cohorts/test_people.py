"""People: bulk enrolment by pasted emails (every line reported, the good ones enrolled
together), removal that keeps records, per-learner dates that change what the learner
can open, and extra quiz time. Admins and the cohort's instructors do all of this."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.cohorts.calendar import to_local
from lms.database import session
from lms.models import (
    Cohort,
    Enrolment,
    EnrolmentOverride,
    EnrolmentStatus,
    LessonProgress,
    Notification,
    OutboxMessage,
    Profile,
)
from tests.cohorts.conftest import (
    People,
    complete_lessons,
    days_ago,
    enrol,
    enrolment_of,
    make_cohort,
    module_id,
)
from tests.conftest import post_form

REPORT_ROW = re.compile(
    r"<td>(\d+)</td>\s*<th scope=\"row\"[^>]*>(.*?)</th>\s*<td[^>]*><span[^>]*>(.*?)</span>", re.S
)


def report(html: str) -> list[tuple[int, str, str]]:
    return [(int(n), text.strip(), outcome) for n, text, outcome in REPORT_ROW.findall(html)]


def test_bulk_enrolment_reports_every_line_and_enrols_the_good_ones(
    app: Flask, people: People, admin: FlaskClient
) -> None:
    for email in ("ana", "bob", "cleo", "dan", "already", "elsewhere"):
        people.create(f"{email}@example.com")
    cohort_id = make_cohort(app, capacity=4)
    other_id = make_cohort(app, name="Other cohort")
    enrol(admin, cohort_id, "already@example.com")
    enrol(admin, other_id, "elsewhere@example.com")

    pasted = (
        "ana@example.com\n"
        "BOB@Example.com, not-an-email\n"
        "  nobody@example.com  \n\n"
        "ana@example.com\r\n"
        "Cleo Example <cleo@example.com>; dan@example.com\n"
        "already@example.com\n"
        "elsewhere@example.com\n"
        "@@@,\n"
    )
    response = post_form(admin, f"/teach/cohorts/{cohort_id}/people", {"emails": pasted})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert report(html) == [
        (1, "ana@example.com", "enrolled"),
        (2, "BOB@Example.com", "enrolled"),
        (3, "not-an-email", "not an email"),
        (4, "nobody@example.com", "invited"),
        (5, "ana@example.com", "listed twice"),
        (6, "Cleo Example &lt;cleo@example.com&gt;", "enrolled"),
        (7, "dan@example.com", "cohort full"),
        (8, "already@example.com", "already in"),
        (9, "elsewhere@example.com", "in another cohort"),
        (10, "@@@", "not an email"),
    ]
    assert "Enrolment report: 4 of 10 lines in the cohort" in html
    with app.app_context():
        emails = session.scalars(
            sa.select(Enrolment.profile_id).where(
                Enrolment.cohort_id == cohort_id, Enrolment.status == EnrolmentStatus.ACTIVE
            )
        ).all()
        assert len(emails) == 4
        assert enrolment_of("elsewhere@example.com", other_id).status is EnrolmentStatus.ACTIVE
    # Pasting the same list again changes nothing.
    again = post_form(admin, f"/teach/cohorts/{cohort_id}/people", {"emails": pasted})
    assert [outcome for _, _, outcome in report(again.get_data(as_text=True))][:2] == [
        "already in",
        "already in",
    ]


@pytest.mark.parametrize(
    ("emails", "message"),
    [
        ("", "Paste at least one email address."),
        ("   \n  ", "Paste at least one email address."),
        ("a@example.com\n" * 5000, "Paste fewer addresses at a time"),
        ("a@b.co," * 501, "Paste at most 500 addresses at a time."),
        ("ana@example.com\x00", "Remove the control characters"),
    ],
)
def test_an_empty_or_huge_paste_is_a_form_error(
    app: Flask, admin: FlaskClient, emails: str, message: str
) -> None:
    cohort_id = make_cohort(app)
    response = post_form(admin, f"/teach/cohorts/{cohort_id}/people", {"emails": emails})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_cohorts_instructor_enrols_and_removes_learners(
    app: Flask, people: People, admin: FlaskClient
) -> None:
    people.create("mia@example.com", name="Mia Learner")
    people.create("teacher@example.com", role="instructor")
    cohort_id = make_cohort(app, instructors=("teacher@example.com",))
    teacher = people.users.client = app.test_client()
    people.users.sign_in("teacher@example.com")
    response = enrol(teacher, cohort_id, "mia@example.com")
    assert report(response.get_data(as_text=True)) == [(1, "mia@example.com", "enrolled")]
    with app.app_context():
        enrolment_id = enrolment_of("mia@example.com", cohort_id).id
    url = f"/teach/cohorts/{cohort_id}/people/{enrolment_id}/remove"
    assert post_form(teacher, url, {}).status_code == 302


def test_removing_a_learner_keeps_their_progress(
    app: Flask, people: People, admin: FlaskClient
) -> None:
    cohort_id = make_cohort(app, starts_on=days_ago(1))
    learner = people.sign_in("rita@example.com", name="Rita Learner")
    enrol(admin, cohort_id, "rita@example.com")
    assert post_form(learner, "/courses/co/lessons/prework/complete", {}).status_code == 302
    with app.app_context():
        enrolment_id = enrolment_of("rita@example.com", cohort_id).id

    response = post_form(admin, f"/teach/cohorts/{cohort_id}/people/{enrolment_id}/remove", {})
    assert response.status_code == 302
    page = admin.get(f"/teach/cohorts/{cohort_id}/people").get_data(as_text=True)
    assert "Rita Learner was removed" in page and "Removed or left (1)" in page
    assert learner.get("/courses/co/lessons/prework").status_code == 403
    with app.app_context():
        enrolment = enrolment_of("rita@example.com", cohort_id)
        assert enrolment.status is EnrolmentStatus.WITHDRAWN
        assert enrolment.withdrawn_at is not None
        assert session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 1

    again = enrol(admin, cohort_id, "rita@example.com").get_data(as_text=True)
    assert report(again) == [(1, "rita@example.com", "enrolled again")]
    assert learner.get("/courses/co/lessons/prework").status_code == 200
    course_page = learner.get("/courses/co/").get_data(as_text=True)
    assert re.search(r"\(1 of \d+ required items\)", course_page)  # the lesson done before


def learner_data(app: Flask, cohort_id: int, **values: str) -> dict[str, str]:
    with app.app_context():
        one, two = module_id("week-one"), module_id("week-two")
    data = {
        f"opens_{one}": "",
        f"due_{one}": "",
        f"opens_{two}": "",
        f"due_{two}": "",
        "extra_time_percent": "0",
    }
    for key, value in values.items():
        kind, _, week = key.partition("_")
        if kind in ("opens", "due"):
            key = f"{kind}_{one if week == 'one' else two}"
        data[key] = value
    return data


def test_an_earlier_release_override_opens_a_locked_lesson(
    app: Flask, people: People, admin: FlaskClient
) -> None:
    cohort_id = make_cohort(app, starts_on=days_ago(1), timezone="Europe/London")
    learner = people.sign_in("omar@example.com")
    enrol(admin, cohort_id, "omar@example.com")
    assert learner.get("/courses/co/lessons/later").status_code == 403
    with app.app_context():
        enrolment_id = enrolment_of("omar@example.com", cohort_id).id
    url = f"/teach/cohorts/{cohort_id}/people/{enrolment_id}"
    page = admin.get(url).get_data(as_text=True)
    assert "Locked" in page and "Extra time on timed quizzes" in page

    opens = to_local(datetime.now(UTC) - timedelta(days=1), "Europe/London")
    assert opens is not None
    due = opens + timedelta(days=14)
    data = learner_data(
        app,
        cohort_id,
        opens_two=f"{opens:%Y-%m-%dT%H:%M}",
        due_two=f"{due:%Y-%m-%dT%H:%M}",
    )
    assert post_form(admin, url, data).status_code == 302
    assert learner.get("/courses/co/lessons/later").status_code == 200
    with app.app_context():
        override = session.scalars(sa.select(EnrolmentOverride)).one()
        assert override.module_id == module_id("week-two")
        assert override.due_at is not None
        assert override.due_at - override.opens_at == timedelta(days=14)  # type: ignore[operator]
    page = admin.get(url).get_data(as_text=True)
    assert f'value="{opens:%Y-%m-%dT%H:%M}"' in page

    # Emptying both dates gives the learner the cohort's dates again.
    assert post_form(admin, url, learner_data(app, cohort_id)).status_code == 302
    assert learner.get("/courses/co/lessons/later").status_code == 403
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(EnrolmentOverride.id))) == 0


def test_extra_time_is_saved_and_checked(app: Flask, people: People, admin: FlaskClient) -> None:
    cohort_id = make_cohort(app)
    people.create("pat@example.com")
    enrol(admin, cohort_id, "pat@example.com")
    with app.app_context():
        enrolment_id = enrolment_of("pat@example.com", cohort_id).id
    url = f"/teach/cohorts/{cohort_id}/people/{enrolment_id}"
    data = learner_data(app, cohort_id, extra_time_percent="50")
    assert post_form(admin, url, data).status_code == 302
    with app.app_context():
        assert enrolment_of("pat@example.com", cohort_id).extra_time_percent == 50
    assert "50%" in admin.get(f"/teach/cohorts/{cohort_id}/people").get_data(as_text=True)

    for value, message in [
        ("301", "Enter 0 to 300."),
        ("-1", "Enter 0 to 300."),
        ("abc", "Enter a whole number, like 50"),
        ("", "Enter a percentage (0 for none)."),
    ]:
        response = post_form(admin, url, learner_data(app, cohort_id, extra_time_percent=value))
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert enrolment_of("pat@example.com", cohort_id).extra_time_percent == 50


def test_an_override_due_before_it_opens_is_refused(
    app: Flask, people: People, admin: FlaskClient
) -> None:
    cohort_id = make_cohort(app, starts_on=days_ago(1), timezone="UTC")
    people.create("quinn@example.com")
    enrol(admin, cohort_id, "quinn@example.com")
    with app.app_context():
        enrolment_id = enrolment_of("quinn@example.com", cohort_id).id
    url = f"/teach/cohorts/{cohort_id}/people/{enrolment_id}"
    # Due before the cohort's own opening date of week one.
    before_start = f"{days_ago(3):%Y-%m-%d}T09:00"
    response = post_form(admin, url, learner_data(app, cohort_id, due_one=before_start))
    assert response.status_code == 400
    assert "must be after the module opens for them" in response.get_data(as_text=True)
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(EnrolmentOverride.id))) == 0


def test_another_cohorts_enrolment_is_404_here(
    app: Flask, people: People, admin: FlaskClient
) -> None:
    first, second = make_cohort(app), make_cohort(app, name="Second")
    people.create("sam@example.com")
    enrol(admin, second, "sam@example.com")
    with app.app_context():
        enrolment_id = enrolment_of("sam@example.com", second).id
    assert admin.get(f"/teach/cohorts/{first}/people/{enrolment_id}").status_code == 404
    url = f"/teach/cohorts/{first}/people/{enrolment_id}/remove"
    assert post_form(admin, url, {}).status_code == 404
    complete_lessons(app, "sam@example.com", "prework")
    assert admin.get(f"/teach/cohorts/{second}/people/{enrolment_id}").status_code == 200


def outbox_mail(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (m.to_address, m.subject, m.body)
            for m in session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def test_bulk_enrolment_enrols_only_learners_tells_them_and_invites_the_rest_alike(
    app: Flask, people: People, admin: FlaskClient
) -> None:
    """Also noticed in issue 17: bulk enrolment said which addresses had an account and
    enrolled anyone, admins included, without telling them. Now only learners are
    enrolled (and told); unknown and staff addresses are reported alike and invited."""
    people.create("mia@example.com", name="Mia Learner")
    people.create("iris@example.com", role="instructor")
    people.create("root@example.com", role="admin")
    cohort_id = make_cohort(app, capacity=2)
    pasted = "mia@example.com\niris@example.com\nroot@example.com\nnobody@example.com\n"
    response = post_form(admin, f"/teach/cohorts/{cohort_id}/people", {"emails": pasted})
    html = response.get_data(as_text=True)
    assert report(html) == [
        (1, "mia@example.com", "enrolled"),
        (2, "iris@example.com", "invited"),
        (3, "root@example.com", "invited"),
        (4, "nobody@example.com", "invited"),
    ]
    rows = re.findall(r"<tr class=\"lms-line-bad\">(.*?)</tr>", html, re.S)
    details = {re.sub(r"<th scope=\"row\"[^>]*>.*?</th>|<td>\d+</td>", "", row) for row in rows}
    assert len(details) == 1  # staff and unknown addresses: the very same report line
    assert "has an account" not in html and "no such user" not in html
    with app.app_context():
        enrolled = session.scalars(
            sa.select(Profile.email)
            .join(Enrolment, Enrolment.profile_id == Profile.id)
            .where(Enrolment.cohort_id == cohort_id)
        ).all()
        assert enrolled == ["mia@example.com"]
        (note,) = session.scalars(sa.select(Notification)).all()
        assert "Ada Admin enrolled you in “Spring cohort”" in note.message

    mail = {to: (subject, body) for to, subject, body in outbox_mail(app)}
    assert set(mail) == {"mia@example.com", "iris@example.com", "root@example.com",
                         "nobody@example.com"}  # fmt: skip
    subject, body = mail["mia@example.com"]
    assert subject.startswith("You are enrolled in")
    assert "Ada Admin enrolled you" in body and "http://localhost/courses/co/" in body
    with app.app_context():
        code = session.scalar(sa.select(Cohort.invite_code).where(Cohort.id == cohort_id))
    invitations = {mail[to] for to in ("iris@example.com", "root@example.com",
                                       "nobody@example.com")}  # fmt: skip
    assert len(invitations) == 1  # the same mail whoever it goes to
    subject, body = invitations.pop()
    assert subject.startswith("An invitation to")
    assert f"invite code {code}" in body and f"http://localhost/join?code={code}" in body
    assert "http://localhost/sign-up" in body

    # A full cohort: every address that would take a seat reads the same.
    again = post_form(
        admin,
        f"/teach/cohorts/{cohort_id}/people",
        {"emails": "late@example.com\nroot@example.com"},
    )
    people.create("late@example.com")
    post_form(admin, f"/teach/cohorts/{cohort_id}/people", {"emails": "late@example.com"})
    fill = post_form(
        admin,
        f"/teach/cohorts/{cohort_id}/people",
        {"emails": "x@example.com\nroot@example.com"},
    )
    assert [outcome for _, _, outcome in report(again.get_data(as_text=True))] == [
        "invited",
        "invited",
    ]
    assert [outcome for _, _, outcome in report(fill.get_data(as_text=True))] == [
        "cohort full",
        "cohort full",
    ]
