"""Who may use each URL of the LMS: one declared audience per endpoint.

Views enforce these with `login_required`, the learning gate, `own_attempt_or_abort`,
the teaching scopes and `role_required`; tests/security/test_access_matrix.py walks the
app's URL map and checks every rule against every role, so a new route without a policy
here fails the suite.
"""

from __future__ import annotations

import enum


class Audience(enum.StrEnum):
    #: Anyone, signed in or not.
    PUBLIC = "public"
    #: Any signed-in user.
    SIGNED_IN = "signed-in"
    #: A learner enrolled in the course in the URL (and the item released to them).
    ENROLLED = "enrolled"
    #: Only the learner the object belongs to (an attempt, a certificate, a notification).
    OWNER = "owner"
    #: Any instructor or admin; the page lists only what is in their own scope.
    TEACHING = "teaching"
    #: Admins, and instructors of the cohort or course the object belongs to.
    STAFF = "staff"
    #: Admins only.
    ADMIN = "admin"


POLICIES: dict[str, Audience] = {
    # LTI: the key set and the protocol's endpoints (checked by signature, state, nonce);
    # the deep-linking picker needs the instructor's deep-linking launch in the session.
    "lti.jwks": Audience.PUBLIC,
    "lti.login": Audience.PUBLIC,
    "lti.launch": Audience.PUBLIC,
    "lti.finish_check": Audience.PUBLIC,
    "lti.picker": Audience.SIGNED_IN,
    "lti.roster": Audience.STAFF,
    "lti.platforms": Audience.ADMIN,
    "lti.dynamic_registration": Audience.ADMIN,
    # catalogue and public pages
    "catalogue.index": Audience.PUBLIC,
    "catalogue.course_image": Audience.PUBLIC,
    "learning.course_home": Audience.PUBLIC,
    "certificates.verify": Audience.PUBLIC,
    "badges.issuer": Audience.PUBLIC,
    "badges.status_list": Audience.PUBLIC,
    "badges.achievement": Audience.PUBLIC,
    "badges.verify": Audience.PUBLIC,
    "ce.information": Audience.PUBLIC,
    "ce.page": Audience.PUBLIC,
    "ce.disclosure": Audience.ENROLLED,
    "ce.my_transcript": Audience.SIGNED_IN,
    "ce.index": Audience.ADMIN,
    "ce.learner_transcript": Audience.ADMIN,
    "ce.summary": Audience.ADMIN,
    "ce.pars": Audience.ADMIN,
    "static": Audience.PUBLIC,
    # accounts (standalone)
    "accounts.sign_in": Audience.PUBLIC,
    "accounts.sign_up": Audience.PUBLIC,
    "accounts.confirm_sign_up": Audience.PUBLIC,
    "accounts.forgot_password": Audience.PUBLIC,
    "accounts.reset_password": Audience.PUBLIC,
    "accounts.sign_out": Audience.PUBLIC,  # signing out twice is harmless
    "accounts.change_password_page": Audience.SIGNED_IN,
    "profile.edit": Audience.SIGNED_IN,
    "profile.complete": Audience.SIGNED_IN,
    # learning
    "learning.dashboard": Audience.SIGNED_IN,
    "learning.enrol": Audience.SIGNED_IN,
    "learning.join": Audience.SIGNED_IN,
    "learning.join_with_code": Audience.SIGNED_IN,
    "learning.leave_course": Audience.ENROLLED,
    "learning.lesson": Audience.ENROLLED,
    "learning.complete_lesson": Audience.ENROLLED,
    "learning.ping": Audience.ENROLLED,
    "learning.check_in": Audience.ENROLLED,
    "evaluations.evaluation": Audience.ENROLLED,
    "learning.live_session_calendar": Audience.ENROLLED,  # the learners of its cohort
    "quizzes.quiz": Audience.ENROLLED,
    "quizzes.start": Audience.ENROLLED,
    "quizzes.attempt": Audience.OWNER,
    "quizzes.save": Audience.OWNER,
    "quizzes.submit": Audience.OWNER,
    "quizzes.review": Audience.OWNER,
    "grading.resubmit_answer": Audience.OWNER,
    "certificates.download": Audience.OWNER,
    "badges.credential": Audience.OWNER,
    "grading.notification_list": Audience.SIGNED_IN,
    "grading.notifications_read_all": Audience.SIGNED_IN,
    "grading.notification_read": Audience.OWNER,
    # teaching: cohorts
    "cohorts.index": Audience.TEACHING,
    "cohorts.new": Audience.ADMIN,
    "cohorts.overview": Audience.STAFF,
    "cohorts.edit": Audience.ADMIN,
    "cohorts.calendar": Audience.STAFF,
    "cohorts.regenerate_calendar": Audience.STAFF,
    "cohorts.sessions": Audience.STAFF,
    "cohorts.edit_session": Audience.STAFF,
    "cohorts.delete_session": Audience.STAFF,
    "cohorts.attendance": Audience.STAFF,
    "cohorts.check_in_code": Audience.STAFF,
    "cohorts.instructors": Audience.ADMIN,
    "cohorts.remove_instructor": Audience.ADMIN,
    "cohorts.people": Audience.STAFF,
    "cohorts.learner": Audience.STAFF,
    "cohorts.remove_learner": Audience.STAFF,
    "cohorts.roster": Audience.STAFF,
    # teaching: a self-paced course (admins and the course's instructors)
    "teaching.course": Audience.STAFF,
    "teaching.course_learners": Audience.STAFF,
    "teaching.instructors": Audience.ADMIN,
    "teaching.remove_instructor": Audience.ADMIN,
    # teaching: grading and records
    "grading.queue": Audience.TEACHING,
    "grading.answer": Audience.STAFF,
    "grading.release": Audience.STAFF,
    "grading.release_quiz": Audience.STAFF,
    "grading.return_answer": Audience.STAFF,
    "gradebook.cohort_gradebook": Audience.STAFF,
    "gradebook.cohort_gradebook_csv": Audience.STAFF,
    "gradebook.cohort_progress_csv": Audience.STAFF,
    "gradebook.cohort_statistics": Audience.STAFF,
    "gradebook.course_gradebook": Audience.STAFF,
    "gradebook.course_gradebook_csv": Audience.STAFF,
    "gradebook.course_progress_csv": Audience.STAFF,
    "gradebook.course_statistics": Audience.STAFF,
    "gradebook.learner": Audience.STAFF,
    "gradebook.time_exemption": Audience.ADMIN,
    "evaluations.cohort_results": Audience.STAFF,
    "evaluations.course_results": Audience.STAFF,
    # administration
    "admin.index": Audience.ADMIN,
    "admin.outbox": Audience.ADMIN,
    "admin.jobs": Audience.ADMIN,
    "admin.retry_job": Audience.ADMIN,
    "admin.discard_job": Audience.ADMIN,
    "admin.users": Audience.ADMIN,
    "admin.set_role": Audience.ADMIN,
    "admin.remove_user": Audience.ADMIN,
    "certificates.certificates": Audience.ADMIN,
    "certificates.certificates_csv": Audience.ADMIN,
    "certificates.certificate": Audience.ADMIN,
    "certificates.revoke_certificate": Audience.ADMIN,
    "certificates.reissue_certificate": Audience.ADMIN,
}
