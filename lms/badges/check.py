"""Checking a badge someone presents (an employer, a board): is it this site's, intact,
not revoked, and does it name the person in front of them?"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lms.badges.keystore import KeyStoreError
from lms.badges.service import issuer, status_list, urls
from lms.credentials.credential import identity_hash, normalise_email
from lms.credentials.resolvers import controller_document_resolver
from lms.credentials.verify import Reason, VerificationResult, verify_credential


class NotABadgeError(ValueError):
    """Text that is not a credential at all; the message says why."""


@dataclass(frozen=True)
class PresentedBadge:
    result: VerificationResult
    #: What it states, shown only when the signature is this site's (else untrusted).
    facts: list[tuple[str, str]] = field(default_factory=list)
    #: The certificate number, when the badge is one of this site's certificates.
    certificate_code: str | None = None
    #: Whether the email given is the one the badge names (None: none given or no hash).
    email_matches: bool | None = None

    @property
    def trusted(self) -> bool:
        return self.result.ok or self.result.reason == Reason.REVOKED


def parse(text: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotABadgeError(
            f"This is not JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        ) from None
    except RecursionError:
        raise NotABadgeError("This JSON is nested too deeply to be a badge.") from None
    if not isinstance(document, dict):
        raise NotABadgeError("This JSON is not a badge: a badge is a JSON object.")
    return document


def _resolve_status_list(url: str) -> dict[str, Any] | None:
    prefix = urls().root + "/status/"
    if not url.startswith(prefix):
        return None
    return status_list(url.removeprefix(prefix))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _facts(credential: dict[str, Any]) -> list[tuple[str, str]]:
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    identifiers = [i for i in subject.get("identifier") or [] if isinstance(i, dict)]
    names = [_text(i.get("identityHash")) for i in identifiers if i.get("identityType") == "name"]
    credit_names = {
        d.get("id"): _text(d.get("name"))
        for d in achievement.get("resultDescription") or []
        if isinstance(d, dict)
    }
    facts = [("Learner", names[0] if names else "(no name given)"),
             ("Course", _text(achievement.get("name")))]  # fmt: skip
    for result in subject.get("result") or []:
        if isinstance(result, dict):
            facts.append((credit_names.get(result.get("resultDescription")) or "Result",
                          _text(result.get("value"))))  # fmt: skip
    if _text(subject.get("licenseNumber")):
        facts.append(("Licence", _text(subject.get("licenseNumber"))))
    facts.append(("Awarded", _text(credential.get("awardedDate") or credential.get("validFrom"))))
    return facts


def _email_matches(credential: dict[str, Any], email: str | None) -> bool | None:
    subject = credential.get("credentialSubject")
    if not email or not isinstance(subject, dict):
        return None
    for identity in subject.get("identifier") or []:
        if (
            isinstance(identity, dict)
            and identity.get("identityType") == "emailAddress"
            and identity.get("hashed") is True
            and isinstance(identity.get("salt"), str)
        ):
            expected = identity_hash(normalise_email(email), identity["salt"])
            return bool(identity.get("identityHash") == expected)
    return None


def check_presented(text: str, email: str | None = None) -> PresentedBadge:
    """Verify a badge against this site's published key and status lists."""
    credential = parse(text)
    try:
        resolve_key = controller_document_resolver(issuer())
    except KeyStoreError:
        result = VerificationResult(
            ok=False, reason=Reason.UNKNOWN_KEY, detail="this site publishes no signing key"
        )
        return PresentedBadge(result)
    result = verify_credential(credential, resolve_key, _resolve_status_list)
    if result.reason == Reason.UNKNOWN_KEY:
        result = VerificationResult(
            ok=False, reason=result.reason, detail="it was not signed by this site's key"
        )
    presented = PresentedBadge(result)
    if not presented.trusted:
        return presented
    code = None
    prefix = urls().root + "/credentials/"
    if isinstance(credential.get("id"), str) and credential["id"].startswith(prefix):
        code = credential["id"].removeprefix(prefix)
    return PresentedBadge(result, _facts(credential), code, _email_matches(credential, email))
