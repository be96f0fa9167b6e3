"""Telling people about a bulk enrolment: the learners it enrolled, and the addresses it
invited instead (no account, or not a learner's: the same mail either way).

Nobody is enrolled without hearing of it: a notification in the app and a mail, with a
link to the course (and a word on leaving it). Functions flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, render_template

from lms.cohorts.people import EnrolLine, Outcome
from lms.links import external_url
from lms.mail import send_mail
from lms.models import Cohort, Profile
from lms.notifications import notify
from lms.web import has_own_accounts, lms_url_for


def tell_people(cohort: Cohort, lines: Iterable[EnrolLine], by: Profile) -> None:
    """Mail (and notify) everyone a bulk enrolment enrolled or invited."""
    for line in lines:
        if line.outcome.enrolled and line.profile is not None:
            tell_enrolled(cohort, line.profile, by)
        elif line.outcome is Outcome.INVITED and line.email:
            invite(cohort, line.email, by)


def tell_enrolled(cohort: Cohort, learner: Profile, by: Profile) -> None:
    course = cohort.course
    message = f"{by.display_name} enrolled you in “{cohort.name}” of “{course.title}”."
    notify(learner, message, lms_url_for("learning.course_home", slug=course.slug))
    site = current_app.config["LMS_SITE_NAME"]
    body = render_template(
        "lms/cohorts/enrolled_mail.txt",
        name=learner.display_name,
        message=message,
        link=external_url("learning.course_home", slug=course.slug),
        site=site,
    )
    send_mail(learner.email, f"You are enrolled in “{course.title}” · {site}", body)


def invite(cohort: Cohort, email: str, by: Profile) -> None:
    course = cohort.course
    site = current_app.config["LMS_SITE_NAME"]
    body = render_template(
        "lms/cohorts/invitation_mail.txt",
        inviter=by.display_name,
        cohort=cohort.name,
        course=course.title,
        code=cohort.invite_code,
        join=external_url("learning.join_with_code", code=cohort.invite_code),
        sign_up=external_url("accounts.sign_up") if has_own_accounts() else None,
        site=site,
    )
    send_mail(email, f"An invitation to “{course.title}” · {site}", body)
