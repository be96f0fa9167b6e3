"""Staff find the self-paced learners by clicking, never by knowing an address: an admin
goes from the admin home to Teaching, opens the self-paced course and assigns an
instructor; the instructor goes from Teaching to the course, its learners, one learner's
record, the gradebook and a quiz's statistics. A cohort's gradebook is one of its tabs."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from lms.cohorts.service import create_cohort
from lms.database import session, utcnow
from lms.models import Role
from tests.browser.conftest import LiveServer
from tests.browser.scenarios import (
    ESSENTIALS,
    RELATIONAL,
    course,
    enrol,
    person,
    read,
    sign_in,
    within,
)
from tests.browser.test_accessibility import Audit

pytestmark = pytest.mark.browser

TITLE = "Ketamine and Anxiety: Role, Scope and the Client's Experience"


def staff_and_a_self_paced_learner(server: LiveServer) -> None:
    with within(server):
        person("ada@example.com", "Ada Admin", Role.ADMIN)
        iris = person("iris@example.com", "Iris Instructor", Role.INSTRUCTOR)
        nadia = person("nadia@example.com", "Nadia Nurse")
        essentials = course(ESSENTIALS)
        enrol(nadia, essentials)
        read(nadia, essentials.modules[0].lessons[:2])
        create_cohort(course(RELATIONAL), "Spring cohort", utcnow().date(), instructors=[iris])
        session.commit()


def test_staff_find_self_paced_learners_from_the_navigation(
    page: Page, live_server: LiveServer
) -> None:
    staff_and_a_self_paced_learner(live_server)
    audit = Audit(page, live_server)

    # The admin: Admin -> Teaching -> the course -> Instructors: assign Iris.
    sign_in(page, live_server, "ada@example.com")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Admin", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Admin")
    expect(page.get_by_role("link", name="Mail outbox")).to_be_visible()
    audit.check("admin home")
    page.get_by_role("link", name="Teaching", exact=True).first.click()
    expect(page.get_by_role("heading", name="Self-paced courses")).to_be_visible()
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_role("navigation", name="This course").get_by_role(
        "link", name="Instructors"
    ).click()
    iris = "Iris Instructor (iris@example.com)"
    page.get_by_label("Instructor", exact=True).select_option(label=iris)
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Iris Instructor now teaches the self-paced learners")).to_be_visible()
    audit.check("course instructors")

    # The instructor: Teaching -> the course -> Learners -> Nadia's record.
    sign_in(page, live_server, "iris@example.com")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Teaching", exact=True
    ).click()
    expect(page.get_by_role("link", name="Spring cohort")).to_be_visible()
    page.get_by_role("link", name=TITLE, exact=True).click()
    overview = page.get_by_role("region", name="At a glance")
    expect(overview).to_contain_text("1 learner")
    live_server.shoot(page, "teaching-self-paced-course")
    audit.check("self-paced course (staff page)")
    tabs = page.get_by_role("navigation", name="This course")
    expect(tabs.get_by_role("link", name="Instructors")).to_have_count(0)  # admins only
    tabs.get_by_role("link", name="Learners").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learners")
    learners = page.get_by_role("table")
    expect(learners).to_contain_text("Nurse")
    live_server.shoot(page, "teaching-self-paced-learners")
    audit.check("self-paced learners")
    learners.get_by_role("link", name="Nadia Nurse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nadia Nurse")
    page.get_by_role("link", name="Learners").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learners")

    page.get_by_role("navigation", name="This course").get_by_role("link", name="Gradebook").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gradebook: self-paced learners")
    # The breadcrumb leads back to the course.
    page.get_by_role("link", name=TITLE, exact=True).first.click()
    page.get_by_role("link", name="Module 1 knowledge check").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Question statistics")

    # A cohort's gradebook is one of its tabs.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Teaching", exact=True
    ).click()
    page.get_by_role("link", name="Spring cohort").click()
    page.get_by_role("navigation", name="This cohort").get_by_role("link", name="Gradebook").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gradebook: Spring cohort")
    audit.assert_clean()
