"""The names an attempt's page uses for its questions and choices: opaque, per attempt.

Form fields, radio and checkbox values and the autosave JSON never carry a database id.
Choice ids were numbered in course-file order, and authors tend to write the right
answer first, so "always pick the lowest value" scored like reading the key; question
version ids tell the file's order and revision history the same way. Each name here is
an HMAC of the attempt and the id under a key derived from the app's secret key: random
to anyone without that key, different in every attempt, and stable for the attempt's
life, so a reloaded page, a second tab or a saved draft keep working. The server maps a
name back with the attempt's layout (`choices_by_token`); a name from another attempt,
or an id, matches nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app

PURPOSE = b"lms.quizzes.tokens"
#: Hex digits per name: 64 bits, far beyond guessing, short enough for an HTML id.
LENGTH = 16


def names_key(secret_key: str | bytes) -> bytes:
    """The key the names are made with, derived from the app's secret key."""
    secret = secret_key if isinstance(secret_key, bytes) else str(secret_key).encode()
    return hmac.new(secret, PURPOSE, hashlib.sha256).digest()


@dataclass(frozen=True)
class AttemptTokens:
    """The names of one attempt's questions and choices."""

    attempt_id: int
    key: bytes

    @classmethod
    def for_attempt(cls, attempt_id: int) -> AttemptTokens:
        return cls(attempt_id, names_key(current_app.config["SECRET_KEY"]))

    def _name(self, kind: str, row_id: int) -> str:
        message = f"{kind}:{self.attempt_id}:{row_id}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:LENGTH]

    def question(self, version_id: int) -> str:
        return self._name("question", version_id)

    def choice(self, choice_id: int) -> str:
        return self._name("choice", choice_id)

    def choices_by_token(self, choice_ids: Iterable[int]) -> dict[str, int]:
        """Name -> choice id, in the order given (the order the page shows them)."""
        return {self.choice(choice_id): choice_id for choice_id in choice_ids}
