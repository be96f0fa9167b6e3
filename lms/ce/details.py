"""A course's CE details, read from the `ce` block its course file gives (`Course.ce`).

The block is validated by `lms courses check` (lms.content.schema.CEBlock) and stored as
JSON by sync; this module turns it back into typed values for pages and rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lms.models import Course

#: What a planner's or faculty member's `relationships` says when there are none.
NO_RELATIONSHIPS = re.compile(r"^\s*(none|no relevant financial relationships?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    relationships: str
    mitigation: str | None

    @property
    def has_relationships(self) -> bool:
        return not NO_RELATIONSHIPS.match(self.relationships)


@dataclass(frozen=True)
class Credit:
    type: str
    amount: Decimal


@dataclass(frozen=True)
class CEDetails:
    provider: str
    accreditation_statement: str
    release_date: date
    expiry_date: date
    finish_after_expiry: bool
    min_time_fraction: float
    credits: list[Credit]
    live_hours: Decimal | None
    home_study_hours: Decimal | None
    planners: list[Person]
    faculty: list[Person]

    def expired(self, now: datetime) -> bool:
        """True from the day after the expiry date."""
        return now.date() > self.expiry_date

    @property
    def dates(self) -> str:
        """The activity's dates as a certificate states them."""
        return f"{_day(self.release_date)} to {_day(self.expiry_date)}"


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _person(data: dict[str, Any]) -> Person:
    return Person(
        name=str(data.get("name", "")),
        role=str(data.get("role", "")),
        relationships=str(data.get("relationships", "")),
        mitigation=data.get("mitigation"),
    )


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def ce_details(course: Course) -> CEDetails | None:
    """The course's CE details, or None when it gives no CE credit."""
    data = course.ce
    if not data:
        return None
    return CEDetails(
        provider=str(data["provider"]),
        accreditation_statement=str(data["accreditation_statement"]),
        release_date=date.fromisoformat(str(data["release_date"])),
        expiry_date=date.fromisoformat(str(data["expiry_date"])),
        finish_after_expiry=bool(data.get("finish_after_expiry", True)),
        min_time_fraction=float(data.get("min_time_fraction", 0.5)),
        credits=[
            Credit(str(c["type"]), Decimal(str(c["amount"]))) for c in data.get("credits", [])
        ],
        live_hours=_decimal(data.get("live_hours")),
        home_study_hours=_decimal(data.get("home_study_hours")),
        planners=[_person(p) for p in data.get("planners", [])],
        faculty=[_person(p) for p in data.get("faculty", [])],
    )
