"""LTI 1.3 Advantage, tool side: platforms launch the LMS's courses, modules, lessons and
quizzes, and get quiz scores back in their gradebooks.

The protocol (OIDC login, id_token validation, service tokens) is the `pylti1p3next`
library's (`pylti1p3`); this package keeps registrations, keys and protocol state in the
LMS's tables (`lms.models.lti`), maps launches to profiles, offerings and content
(`provision`), and turns quiz results into AGS scores (`scores`, `outbox`).
"""
