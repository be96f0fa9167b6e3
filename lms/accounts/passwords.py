"""The password policy, after NIST SP 800-63B (revision 4, section 3.1.1.2).

- Length: 15 to 200 characters (15 is NIST's minimum for a password that is the only
  factor, as here; every printable character, space and Unicode allowed, normalised to
  NFKC before hashing);
- no composition rules (no "a digit and a symbol"), no expiry;
- refused when it is common, predictable or built from its context: checked with zxcvbn
  (https://github.com/dwolfhub/zxcvbn-python, MIT licence), which ships frequency lists
  of the 30,000 most common passwords from leaks, English words, names and surnames, and
  recognises keyboard walks, repeats, sequences, dates and l33t spellings. The site's
  name and the person's email and name are added to its lists for each check, and a
  password that is mostly made of them is refused too.

A refused password gets a message saying why, and what works instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MIN_PASSWORD_LENGTH = 15
MAX_PASSWORD_LENGTH = 200
#: zxcvbn's estimate must reach "safely unguessable" (about 10^8 guesses and more).
MIN_SCORE = 3
#: zxcvbn reads this many characters at most; a longer password is judged by its start.
CHECKED_LENGTH = 72
#: What must be left once the context's words are taken out of a password.
MIN_OWN_CHARACTERS = 8

TOO_COMMON = "This password is too easy to guess."
FROM_CONTEXT = "This password is mostly your email, your name or this site's name."
ADVICE = "Try three or four unrelated words, or a short sentence only you would write."


def normalise_password(password: str) -> str:
    """The form a password is hashed and checked in (NFKC: the same characters typed
    on different keyboards compare equal)."""
    return unicodedata.normalize("NFKC", password)


def context_words(*texts: str | None) -> list[str]:
    """The words a password must not be built from: each text whole and in its parts
    (an email's name and domain, a site name's words), lower case, 3 letters or more."""
    words: list[str] = []
    for text in texts:
        if not text:
            continue
        lowered = text.strip().lower()
        words.append(lowered)
        words += re.split(r"[^\w]+", lowered)
    return sorted({word for word in words if len(word) >= 3}, key=len, reverse=True)


def own_characters(password: str, words: Iterable[str]) -> int:
    """How many letters and digits are left once the context's words are taken out."""
    rest = password.lower()
    for word in words:
        rest = rest.replace(word, "")
    return sum(1 for char in rest if char.isalnum())


def password_problem(
    password: str, *, email: str = "", name: str = "", site_name: str = ""
) -> str | None:
    """Why this password cannot be used, or None when it can."""
    password = normalise_password(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters. {ADVICE}"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    words = context_words(email, name, site_name)
    if own_characters(password, words) < MIN_OWN_CHARACTERS:
        return f"{FROM_CONTEXT} {ADVICE}"
    # Imported here: zxcvbn loads its word lists on import, and only these pages need it.
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:CHECKED_LENGTH], user_inputs=words)
    if result["score"] >= MIN_SCORE:
        return None
    if any(match.get("dictionary_name") == "user_inputs" for match in result["sequence"]):
        return f"{FROM_CONTEXT} {ADVICE}"
    warning = str(result["feedback"].get("warning") or "").strip()
    return f"{TOO_COMMON} {warning + ' ' if warning else ''}{ADVICE}"
