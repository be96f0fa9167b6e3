"""What the LMS tells the LRS, as xAPI statements in the cmi5 shape.

| what happened                      | verb (IRI)                                   |
|------------------------------------|----------------------------------------------|
| a learner enrolled in a course     | registered (ADL)                             |
| a lesson opened for the first time | launched (cmi5: the LMS launched the AU)     |
| a lesson completed                 | completed (cmi5), duration = reading time    |
| a quiz attempt started             | attempted (ADL)                              |
| a quiz attempt graded              | passed / failed (cmi5), score, masteryScore  |
| a live session attended            | attended (ADL)                               |
| every requirement of a course met  | satisfied (cmi5: the course is complete)     |
| a certificate issued               | earned (TinCan registry)                     |

Each enrolment is one cmi5 registration (a UUID derived from it); the learner is an
account on the site (their profile number, never their name or address); cmi5's own
verbs carry the cmi5 category. Statement ids are UUID5 over the site and the event, so a
statement sent again is the same statement, and an LRS keeps it once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from lms.links import base_url
from lms.xapi.model import validated

#: UUID5 namespace of every id the LMS derives (statements, registrations).
NAMESPACE = uuid.UUID("6f1c1f8e-5d0b-4c7e-9a51-3c2d2b8a7e10")

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "registered": ADL + "registered",
    "launched": ADL + "launched",
    "completed": ADL + "completed",
    "attempted": ADL + "attempted",
    "passed": ADL + "passed",
    "failed": ADL + "failed",
    "attended": ADL + "attended",
    "satisfied": "https://w3id.org/xapi/adl/verbs/satisfied",
    "earned": "http://id.tincanapi.com/verb/earned",
}
#: Verbs cmi5 defines (statements with them carry the cmi5 category).
CMI5_VERBS = {"launched", "completed", "passed", "failed", "satisfied"}
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVE_ON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
ACTIVITY_TYPES = {
    "course": "https://w3id.org/xapi/cmi5/activitytype/course",
    "lesson": "https://w3id.org/xapi/cmi5/activities/au",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "live-session": "http://adlnet.gov/expapi/activities/meeting",
    "certificate": "https://w3id.org/xapi/cmi5/activities/certificate",
}


def derived_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join([base_url(), *map(str, parts)])))


def registration(enrolment_id: int) -> str:
    return derived_id("registration", enrolment_id)


def activity(kind: str, ident: object, title: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": f"{base_url()}/xapi/{kind}/{ident}",
        "definition": {"name": {"en": title}, "type": ACTIVITY_TYPES[kind]},
    }


def duration(seconds: int) -> str:
    return f"PT{max(0, int(seconds))}S"


def statement(
    event: str,
    verb: str,
    *,
    profile_id: int,
    enrolment_id: int,
    obj: dict[str, Any],
    course: dict[str, Any] | None,
    at: datetime,
    result: dict[str, Any] | None = None,
    mastery: float | None = None,
) -> dict[str, Any]:
    """One statement, validated (pydantic ValidationError when it does not fit xAPI)."""
    categories = [{"id": CMI5_CATEGORY}] if verb in CMI5_VERBS else []
    if verb in ("passed", "failed", "completed", "satisfied"):
        categories.append({"id": MOVE_ON_CATEGORY})
    context: dict[str, Any] = {"registration": registration(enrolment_id)}
    activities: dict[str, Any] = {}
    if categories:
        activities["category"] = categories
    if course is not None and course["id"] != obj["id"]:
        activities["grouping"] = [course]
    if activities:
        context["contextActivities"] = activities
    if mastery is not None:
        context["extensions"] = {MASTERY_SCORE: mastery}
    data = {
        "id": derived_id("statement", event),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": base_url() + "/", "name": str(profile_id)},
        },
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": obj,
        "context": context,
        "timestamp": at.isoformat(),
    }
    if result:
        data["result"] = result
    return validated(data)


def score(raw: Decimal | float | None, maximum: Decimal | float | None) -> dict[str, Any] | None:
    if raw is None or not maximum:
        return None
    raw_f, max_f = float(raw), float(maximum)
    return {"raw": raw_f, "min": 0.0, "max": max_f, "scaled": round(min(1, raw_f / max_f), 4)}
