"""Runs of words shared between the course files and the source article.

The article itself is not kept in the repository: `tests/fixtures/article/prose-8grams.txt`
holds a short hash of each run of eight consecutive words of the article's *prose*, which
is all the copy check needs. Regenerate it from the article with

    python -m tests.content.copied_text /path/to/ketamine-for-anxiety-article.txt

What counts as prose, and so must not be copied, is every paragraph of the article except:

- its **headings** (the section titles, which the courses cite in each question's `source:`
  and in course.yml's `sources:`);
- its **fact lists**: the bulleted lists of short items (at most 15 words each): what
  ketamine can feel like, the indicators of challenge and crisis, and the contraindications.
  A course must reproduce these facts faithfully, so a run of words inside one of them is a
  list of facts, not copied prose. The longer bullets (the three models of care) are prose;
- page furniture (navigation, sign-up forms, image captions).

Words are compared lower-cased, without punctuation, with hyphenated words split and British
spellings mapped to the article's American ones, so that "anaesthetic" or "programme"
cannot hide a copy.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

RUN = 8
MAX_LIST_ITEM_WORDS = 15
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "article" / "prose-8grams.txt"
#: Lines of the article that are not its text: navigation, image captions, sign-up forms.
FURNITURE = (
    "Skip to main content",
    "Ba Article Feature Image",
    "Join the Beckley Academy Mailing List",
    "This field is for validation purposes",
    "Optional: Sign Up",
    "This will close in",
)
_WORD = re.compile(r"[a-z0-9]+")
_SPELLING = [
    (re.compile(r"aesth"), "esth"),
    (re.compile(r"isation"), "ization"),
    (re.compile(r"(?<=[a-z]{2})is(e|ed|es|ing)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{2})ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"(?<=[a-z]{2})our(s?)$"), r"or\1"),
    (re.compile(r"programme"), "program"),
    (re.compile(r"(?<=[a-z]{2})tre(s?)$"), r"ter\1"),
]


def normal_word(word: str) -> str:
    for pattern, replacement in _SPELLING:
        word = pattern.sub(replacement, word)
    return word


def words(text: str) -> list[str]:
    """The words of a text, normalised for comparison."""
    text = text.lower().replace("\u2019", "").replace("'", "")
    return [normal_word(w) for w in _WORD.findall(text)]


def digest(run: list[str]) -> str:
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:16]


def prose_paragraphs(article: str) -> Iterator[str]:
    """The article's prose, one paragraph at a time (see the module's docstring)."""
    for line in article.splitlines():
        text = line.strip()
        if not text or text.startswith(FURNITURE):
            continue
        if text.startswith("\u2022"):
            if len(words(text)) <= MAX_LIST_ITEM_WORDS:
                continue  # an item of a fact list
            yield text
            continue
        count = len(words(text))
        if count < RUN or (count < 15 and not re.search(r"[.!:]$", text)):
            continue  # a heading: short, without a sentence's closing punctuation
        yield text


def article_runs(article: str) -> set[str]:
    runs = set()
    for paragraph in prose_paragraphs(article):
        found = words(paragraph)
        runs.update(digest(found[i : i + RUN]) for i in range(len(found) - RUN + 1))
    return runs


def load_runs() -> set[str]:
    return set(FIXTURE.read_text().split())


def shared_runs(text: str, runs: set[str]) -> Iterator[tuple[int, str]]:
    """(line, words) of each run of RUN or more words of `text` found in the article's prose;
    overlapping runs are reported once, at the line where they start."""
    located: list[tuple[str, int]] = []
    for number, line in enumerate(text.splitlines(), 1):
        located.extend((word, number) for word in words(line))
    tokens = [word for word, _ in located]
    i = 0
    while i <= len(tokens) - RUN:
        if digest(tokens[i : i + RUN]) in runs:
            end = i + RUN
            while end < len(tokens) and digest(tokens[end - RUN + 1 : end + 1]) in runs:
                end += 1
            yield located[i][1], " ".join(tokens[i:end])
            i = end
        else:
            i += 1


if __name__ == "__main__":
    source = Path(sys.argv[1]).read_text(encoding="utf-8")
    FIXTURE.write_text("\n".join(sorted(article_runs(source))) + "\n")
    print(f"wrote {FIXTURE}")
