"""The admin home's list of admin pages: every page an admin may need, described, so that
none is found only by knowing its address."""

from __future__ import annotations

from dataclasses import dataclass

from lms.web import optional_url


@dataclass(frozen=True)
class AdminPage:
    endpoint: str
    title: str
    description: str


#: In the order the admin home lists them. An entry whose page this app does not have is
#: left out, so a page another area adds (the background jobs page) shows once it exists.
ADMIN_PAGES = [
    AdminPage(
        "admin.users",
        "People and roles",
        "Find anyone by name or email, and make them a learner, an instructor or an admin.",
    ),
    AdminPage(
        "cohorts.index",
        "Teaching",
        "Every cohort and every self-paced course: calendars, live sessions, people, "
        "attendance, rosters, gradebooks and instructors.",
    ),
    AdminPage(
        "cohorts.new",
        "Create a cohort",
        "A new run of a course, its calendar worked out from a start date.",
    ),
    AdminPage(
        "grading.queue",
        "Grading",
        "Written answers waiting for a grade, in every cohort and course.",
    ),
    AdminPage(
        "lti.platforms",
        "LTI platforms",
        "Canvas, Moodle, Open edX and other platforms that launch the courses: what to give "
        "them, and registering them.",
    ),
    AdminPage(
        "admin.outbox",
        "Mail outbox",
        "Every mail the LMS sent or tried to send: password resets, feedback notices, "
        "grading digests.",
    ),
    AdminPage(
        "admin.jobs",
        "Background jobs",
        "Work the LMS does out of sight (mail, learning records, digests): what ran, what "
        "failed, what waits; retry or discard what is stuck.",
    ),
]


@dataclass(frozen=True)
class AdminLink:
    title: str
    description: str
    url: str


def admin_links() -> list[AdminLink]:
    """The admin pages this app has, each once."""
    links: list[AdminLink] = []
    for page in ADMIN_PAGES:
        url = optional_url(page.endpoint)
        if url is not None and page.title not in {link.title for link in links}:
            links.append(AdminLink(page.title, page.description, url))
    return links
