"""An Open Badges 3.0 `OpenBadgeCredential` (a W3C Verifiable Credential 2.0), unsigned.

What goes where (docs/CREDENTIALS.md says why):

- `issuer`: the provider's Profile (id, name, url, email);
- `credentialSubject.achievement`: the course (id, name, description, criteria narrative,
  `achievementType` CertificateOfCompletion) and a `resultDescription` naming the credit
  type ("Continuing-education contact hours");
- `credentialSubject.result`: the credit amount earned, as the value of that result;
- `credentialSubject.identifier`: the learner, as IdentityObjects: the email address
  salted and hashed (`sha256$...`), never in plain, and the learner's name if given;
- `validFrom` and `awardedDate`: when the certificate was issued;
- `credentialStatus`: the revocation entry in a Bitstring Status List, when given.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from lms.credentials.loader import CREDENTIALS_V2, OB_V3P0_3_0_3, OB_V3P0_EXTENSIONS
from lms.credentials.proof import xsd_datetime

CREDENTIAL_CONTEXTS = [CREDENTIALS_V2, OB_V3P0_3_0_3, OB_V3P0_EXTENSIONS]
OB_SCHEMA_ID = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB_SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"
#: `resultType` of the credit result (the OB 3.0 vocabulary is extended with `ext:` names).
CREDIT_RESULT_TYPE = "ext:ContinuingEducationCredit"
CREDIT_FRAGMENT = "credit"


@dataclass(frozen=True)
class IssuerProfile:
    """The provider that issues the credential (from configuration)."""

    id: str
    name: str
    url: str
    email: str | None = None

    def as_json(self) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "id": self.id,
            "type": ["Profile"],
            "name": self.name,
            "url": self.url,
        }
        if self.email:
            profile["email"] = self.email
        return profile


@dataclass(frozen=True)
class Achievement:
    """The course, as the achievement the credential recognises."""

    id: str
    name: str
    description: str
    criteria: str
    credit_type: str
    credit_amount: Decimal
    achievement_type: str = "CertificateOfCompletion"
    #: Further credit types and amounts the certificate states (nursing hours and
    #: psychology credits for one course): results `#credit-2`, `#credit-3`, ...
    more_credits: tuple[tuple[str, Decimal], ...] = ()

    @property
    def credit_result_id(self) -> str:
        return f"{self.id}#{CREDIT_FRAGMENT}"

    @property
    def credits(self) -> list[tuple[str, str, Decimal]]:
        """Every credit as (result description id, credit type, amount), first one first."""
        first = (self.credit_result_id, self.credit_type, self.credit_amount)
        more = [
            (f"{self.credit_result_id}-{number}", credit_type, amount)
            for number, (credit_type, amount) in enumerate(self.more_credits, 2)
        ]
        return [first, *more]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": ["Achievement"],
            "achievementType": self.achievement_type,
            "name": self.name,
            "description": self.description,
            "criteria": {"narrative": self.criteria},
            "resultDescription": [
                {
                    "id": result_id,
                    "type": ["ResultDescription"],
                    "name": credit_type,
                    "resultType": CREDIT_RESULT_TYPE,
                }
                for result_id, credit_type, _ in self.credits
            ],
        }


@dataclass(frozen=True)
class Learner:
    """Who earned it: the email address is only ever written salted and hashed."""

    email: str
    salt: str
    name: str | None = None
    licence: str | None = None


def new_salt() -> str:
    """A random salt for one learner's identity hash (store it with the credential)."""
    return secrets.token_hex(16)


def normalise_email(email: str) -> str:
    """The address as it is hashed: surrounding space removed, lower case."""
    return email.strip().lower()


def identity_hash(identity: str, salt: str) -> str:
    """OB 3.0 IdentityHash: `sha256$` and the hex SHA-256 of identity + salt (UTF-8)."""
    return "sha256$" + hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()


def email_identity(email: str, salt: str) -> dict[str, Any]:
    """The learner's email address as a salted, hashed IdentityObject."""
    return {
        "type": "IdentityObject",
        "identityHash": identity_hash(normalise_email(email), salt),
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def name_identity(name: str) -> dict[str, Any]:
    """The learner's name as a plain (not hashed) IdentityObject."""
    return {"type": "IdentityObject", "identityHash": name, "identityType": "name", "hashed": False}


def format_amount(amount: Decimal) -> str:
    """`2.50` -> `2.5`, `3.00` -> `3`: the amount as a plain decimal string."""
    return format(amount.normalize(), "f")


def _require_absolute(value: str, what: str) -> None:
    if not urlsplit(value).scheme:
        raise ValueError(f"{what} must be an absolute URL or URI, got {value!r}")


def _require_text(value: str | None, what: str) -> None:
    if not value or not value.strip():
        raise ValueError(f"{what} must not be empty")


def _check(issuer: IssuerProfile, achievement: Achievement, learner: Learner) -> None:
    _require_absolute(issuer.id, "issuer.id")
    _require_absolute(issuer.url, "issuer.url")
    _require_absolute(achievement.id, "achievement.id")
    for value, what in [
        (issuer.name, "issuer.name"),
        (achievement.name, "achievement.name"),
        (achievement.description, "achievement.description"),
        (achievement.criteria, "achievement.criteria"),
        (learner.email, "learner.email"),
        (learner.salt, "learner.salt"),
    ]:
        _require_text(value, what)
    if "@" not in learner.email:
        raise ValueError("learner.email is not an email address")
    for _, credit_type, amount in achievement.credits:
        _require_text(credit_type, "achievement.credit_type")
        if not amount.is_finite() or amount < 0:
            raise ValueError("achievement.credit_amount must be a number, 0 or more")


def build_credential(
    *,
    credential_id: str,
    issuer: IssuerProfile,
    achievement: Achievement,
    learner: Learner,
    issued_at: datetime,
    credential_status: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential (valid against the OB 3.0 JSON schema)."""
    _require_absolute(credential_id, "credential_id")
    _check(issuer, achievement, learner)
    identifiers = [email_identity(learner.email, learner.salt)]
    if learner.name and learner.name.strip():
        identifiers.append(name_identity(learner.name.strip()))
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": identifiers,
        "achievement": achievement.as_json(),
        "result": [
            {"type": ["Result"], "resultDescription": result_id, "value": format_amount(value)}
            for result_id, _, value in achievement.credits
        ],
    }
    if learner.licence and learner.licence.strip():
        subject["licenseNumber"] = learner.licence.strip()
    issued = xsd_datetime(issued_at)
    credential: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXTS),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "description": f"Certificate of completion: {achievement.name}. "
        + " ".join(f"{kind}: {format_amount(value)}." for _, kind, value in achievement.credits),
        "issuer": issuer.as_json(),
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": subject,
        "credentialSchema": [{"id": OB_SCHEMA_ID, "type": OB_SCHEMA_TYPE}],
    }
    if credential_status is not None:
        credential["credentialStatus"] = credential_status
    return credential
