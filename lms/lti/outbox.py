"""The one seam between grading and LTI: scores waiting to go to platforms.

`queue_score` listens to `lms.quizzes.attempt_scored` (sent whenever an attempt's final
score is set: an auto-graded submit, an essay grade's release, a regrade) and records an
`LtiScore` row per platform line item, in the grading transaction. A result the line
item already has (the same score as the last one queued for that user) is not queued
again, so the same result is never posted twice.

`send_pending` posts the waiting rows in order (after the commit; a failure leaves the row
waiting, with its error, for the next run). `lms lti send-scores` runs it.

Each queued row is also a job (`lti.score`, keyed by the row's key), enqueued in the same
transaction: the worker sends it after the commit, retrying with backoff while the
platform is down; `send_pending` and `lms lti send-scores` remain a manual drain. Jobs may
run out of order: a score older than one already sent is skipped as superseded.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import sqlalchemy as sa

from lms.database import session, utcnow
from lms.jobs import PermanentError, enqueue, handler
from lms.lti.scores import score_payloads, send_score
from lms.models import Attempt, LtiScore
from lms.quizzes import attempt_scored

log = logging.getLogger(__name__)

#: What makes two scores "the same result" (not the timestamp).
SAME_RESULT = ("userId", "scoreGiven", "scoreMaximum", "activityProgress", "gradingProgress")


def _result(payload: dict[str, Any]) -> dict[str, Any]:
    return {name: payload["score"].get(name) for name in SAME_RESULT}


def queue_score(attempt: Attempt) -> list[LtiScore]:
    """Record the attempt's score for each platform line item it goes to (flushes)."""
    queued = []
    for link_id, lti_user_id, payload in score_payloads(attempt):
        last = session.scalar(
            sa.select(LtiScore)
            .where(LtiScore.resource_link_id == link_id, LtiScore.lti_user_id == lti_user_id)
            .order_by(LtiScore.id.desc())
            .limit(1)
        )
        if last is not None and _result(last.payload) == _result(payload):
            continue  # the platform has (or will get) this very result
        key_source = json.dumps([link_id, last.id if last else 0, _result(payload)], sort_keys=True)
        row = LtiScore(
            key=hashlib.sha256(key_source.encode()).hexdigest(),
            resource_link_id=link_id,
            lti_user_id=lti_user_id,
            payload=payload,
        )
        session.add(row)
        queued.append(row)
    if queued:
        session.flush()  # the rows' ids, for their jobs
        for row in queued:
            enqueue("lti.score", {"score_id": row.id}, key=f"lti:score:{row.key}")
    return queued


@handler("lti.score")
def send_score_job(payload: Any, key: str) -> None:
    """The worker's side: send one waiting score (raises, for a retry, when it fails)."""
    score_id = payload.get("score_id") if isinstance(payload, dict) else None
    if not isinstance(score_id, int):
        raise PermanentError(f"An lti.score job needs {{'score_id': <int>}}, not {payload!r:.200}.")
    send_one(score_id)


@attempt_scored.connect
def _on_attempt_scored(sender: Any, attempt: Attempt, **_: Any) -> None:
    queue_score(attempt)


def send_one(score_id: int) -> bool:
    """Send one waiting score; True if sent now or before. Raises (with the row's error
    recorded and committed) when sending fails, so a job runner retries it."""
    row = session.get(LtiScore, score_id)
    if row is None:
        return False
    if row.sent_at is not None:
        return True  # idempotent: never posted twice
    newer_sent = session.scalar(
        sa.select(LtiScore.id).where(
            LtiScore.resource_link_id == row.resource_link_id,
            LtiScore.lti_user_id == row.lti_user_id,
            LtiScore.id > row.id,
            LtiScore.sent_at.is_not(None),
        )
    )
    if newer_sent is not None:  # sent out of order: the platform has a newer result
        row.sent_at = utcnow()
        row.last_error = "Superseded by a newer score, so not sent."
        session.commit()
        return True
    try:
        send_score(row.payload)
    except Exception as error:
        session.rollback()
        row = session.get(LtiScore, score_id)
        assert row is not None
        row.tries += 1
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        session.commit()
        log.warning("LTI score %s not sent: %s", score_id, row.last_error)
        raise
    row.sent_at = utcnow()
    row.tries += 1
    row.last_error = ""
    session.commit()
    return True


def send_pending(limit: int = 100) -> tuple[int, int]:
    """Send waiting scores, oldest first; (sent, failed). Commits after each one."""
    sent = failed = 0
    ids = session.scalars(
        sa.select(LtiScore.id).where(LtiScore.sent_at.is_(None)).order_by(LtiScore.id).limit(limit)
    ).all()
    for score_id in ids:
        try:
            send_one(score_id)
        except Exception:
            failed += 1
        else:
            sent += 1
    return sent, failed
