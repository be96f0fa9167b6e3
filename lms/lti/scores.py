"""Assignment and Grade Services: a quiz result as an AGS score, and sending it.

`score_payloads(attempt)` builds, for each platform line item the learner launched the
quiz from, a JSON-serialisable payload; `send_score(payload)` posts it (the library gets
the service token with the tool's key). `send_score` raises on any failure, so the caller
(a job, or `lms lti send-scores`) can try again later.

The score sent is the quiz's counted score (best or last graded attempt, per the quiz's
rule) in percent: `scoreGiven` of `scoreMaximum` 100, `activityProgress` Completed,
`gradingProgress` FullyGraded, with the platform's `userId` (the launch's `sub`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.contrib.flask import FlaskServiceConnector
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem

from lms.database import session, utcnow
from lms.lti.tool import registration_for
from lms.models import (
    Attempt,
    AttemptStatus,
    LtiLaunchedLink,
    LtiPlatform,
    LtiResourceLink,
    LtiUser,
)
from lms.quizzes.grading import quiz_outcome

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


class ScoreNotSendableError(RuntimeError):
    """The score cannot be sent as it stands (registration removed, no line item)."""


def score_payloads(attempt: Attempt) -> list[tuple[int, int, dict[str, Any]]]:
    """(resource link row id, LtiUser id, payload) for each platform link the learner launched the
    attempt's quiz from; none while the attempt's score is not final."""
    if attempt.status is not AttemptStatus.GRADED:
        return []
    rows = session.execute(
        sa.select(LtiResourceLink, LtiUser)
        .join(LtiLaunchedLink, LtiLaunchedLink.resource_link_id == LtiResourceLink.id)
        .join(LtiUser, LtiUser.id == LtiLaunchedLink.lti_user_id)
        .where(
            LtiUser.profile_id == attempt.profile_id,
            LtiResourceLink.quiz_id == attempt.quiz_id,
        )
        .order_by(LtiResourceLink.id)
    ).all()
    if not rows:
        return []
    outcome = quiz_outcome(attempt.quiz, attempt.profile)
    if outcome.score_percent is None:
        return []
    given = float(Decimal(outcome.score_percent).quantize(Decimal("0.01")))
    timestamp = utcnow().isoformat()
    payloads = []
    for link, lti_user in rows:
        payloads.append(
            (
                link.id,
                lti_user.id,
                {
                    "platform_id": lti_user.platform_id,
                    "lineitem_url": link.lineitem_url,
                    "lineitems_url": link.lineitems_url,
                    "scopes": list(link.ags_scopes or []),
                    "resource_link_id": link.resource_link_id,
                    "quiz_id": attempt.quiz_id,
                    "label": attempt.quiz.title,
                    "score": {
                        "userId": lti_user.sub,
                        "scoreGiven": given,
                        "scoreMaximum": 100.0,
                        "activityProgress": "Completed",
                        "gradingProgress": "FullyGraded",
                        "timestamp": timestamp,
                    },
                },
            )
        )
    return payloads


def send_score(payload: dict[str, Any]) -> None:
    """Post one score to the platform's line item. Raises on failure (retry later)."""
    platform = session.get(LtiPlatform, payload["platform_id"])
    if platform is None:
        raise ScoreNotSendableError("The platform's registration was removed.")
    scopes = payload.get("scopes") or []
    if SCORE_SCOPE not in scopes:
        raise ScoreNotSendableError("The platform did not grant the score scope for this link.")
    service = AssignmentsGradesService(
        FlaskServiceConnector(registration_for(platform)),
        {
            "scope": scopes,
            "lineitem": payload.get("lineitem_url"),
            "lineitems": payload.get("lineitems_url"),
        },
    )
    score = payload["score"]
    grade = (
        Grade()
        .set_score_given(score["scoreGiven"])
        .set_score_maximum(score["scoreMaximum"])
        .set_activity_progress(score["activityProgress"])
        .set_grading_progress(score["gradingProgress"])
        .set_timestamp(score["timestamp"])
        .set_user_id(score["userId"])
    )
    if payload.get("lineitem_url"):
        service.put_grade(grade)
    elif payload.get("lineitems_url"):
        lineitem = (
            LineItem()
            .set_tag(f"lms-quiz-{payload['quiz_id']}")
            .set_resource_id(f"lms-quiz-{payload['quiz_id']}")
            .set_resource_link_id(payload["resource_link_id"])
            .set_label(payload["label"])
            .set_score_maximum(100)
        )
        service.put_grade(grade, lineitem)
    else:
        raise ScoreNotSendableError("The platform gave no line item for this link.")
