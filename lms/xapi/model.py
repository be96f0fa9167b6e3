"""A small model of the xAPI 1.0.3 statements the LMS makes, checked before they are queued:
a statement that does not fit is a bug caught in tests, not a 400 from the LRS at 3 a.m."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AnyUrl, BaseModel, ConfigDict, Field, field_validator, model_validator

DURATION = re.compile(r"^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$")
LanguageMap = dict[str, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Account(_Strict):
    homePage: AnyUrl  # noqa: N815 (xAPI's names)
    name: str = Field(min_length=1)


class Agent(_Strict):
    objectType: Literal["Agent"] = "Agent"  # noqa: N815
    account: Account
    name: str | None = None


class Verb(_Strict):
    id: AnyUrl
    display: LanguageMap


class Definition(_Strict):
    name: LanguageMap
    type: AnyUrl | None = None


class Activity(_Strict):
    objectType: Literal["Activity"] = "Activity"  # noqa: N815
    id: AnyUrl
    definition: Definition | None = None


class Score(_Strict):
    scaled: float | None = Field(default=None, ge=-1, le=1)
    raw: float | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def raw_within_bounds(self) -> Score:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("score min is above max")
        if self.raw is not None and self.max is not None and self.raw > self.max:
            raise ValueError("raw score above max")
        if self.raw is not None and self.min is not None and self.raw < self.min:
            raise ValueError("raw score below min")
        return self


class Result(_Strict):
    score: Score | None = None
    success: bool | None = None
    completion: bool | None = None
    duration: str | None = None

    @field_validator("duration")
    @classmethod
    def iso_duration(cls, value: str | None) -> str | None:
        if value is not None and (not DURATION.match(value) or value in ("P", "PT")):
            raise ValueError(f"not an ISO 8601 duration: {value!r}")
        return value


class ContextActivities(_Strict):
    category: list[Activity] | None = None
    grouping: list[Activity] | None = None
    parent: list[Activity] | None = None


class Context(_Strict):
    registration: UUID
    contextActivities: ContextActivities | None = None  # noqa: N815
    extensions: dict[AnyUrl, Any] | None = None


class Statement(_Strict):
    id: UUID
    actor: Agent
    verb: Verb
    object: Activity
    result: Result | None = None
    context: Context
    timestamp: datetime

    @field_validator("timestamp")
    @classmethod
    def aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("the timestamp needs a time zone")
        return value


def validated(statement: dict[str, Any]) -> dict[str, Any]:
    """The statement as JSON-ready data, once it fits the model (pydantic ValidationError
    otherwise)."""
    return Statement.model_validate(statement).model_dump(mode="json", exclude_none=True)
