"""Render lesson Markdown to safe HTML.

``render_markdown`` is the one place in the codebase that turns author text into HTML:
python-markdown (tables, fenced code, admonitions, footnotes, sane lists, heading ids) and
then nh3 with an explicit allowlist. ``attr_list`` is deliberately not enabled, since it
would let authors put arbitrary attributes on elements.
"""

from __future__ import annotations

import re

import markdown as _markdown
import nh3
from markupsafe import Markup

__all__ = ["ADMONITION_KINDS", "internal_links", "render_markdown"]

EXTENSIONS = ["tables", "fenced_code", "admonition", "footnotes", "sane_lists", "toc"]

ADMONITION_KINDS = frozenset({"note", "tip", "warning", "important", "caution", "danger"})

_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "br",
    "div",
    "img",
    "sup",
}
_ATTRIBUTES = {
    **{f"h{n}": {"id"} for n in range(1, 7)},
    "a": {"href", "title"},  # rel is set by link_rel
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "li": {"id"},  # footnotes
    "sup": {"id"},  # footnote references
    "th": {"style"},  # text-align only, see filter_style_properties
    "td": {"style"},
    "code": {"class"},  # language-xxx only, see _filter_attribute
}
_CLASSES = {
    "div": {"admonition", "footnote", "toc", *ADMONITION_KINDS},
    "p": {"admonition-title"},
    "a": {"footnote-ref", "footnote-backref"},
}
_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#-]{1,30}")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "code" and attribute == "class":
        return value if _LANGUAGE_CLASS.fullmatch(value) else None
    return value


def _relative_url(url: str) -> str | None:
    """Keep a relative URL only if no browser could read a scheme into it."""
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        return None
    head = re.split(r"[/?#]", url, maxsplit=1)[0]
    return None if ":" in head else url


_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style"},
    attributes=_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    allowed_classes=_CLASSES,
    filter_style_properties={"text-align"},
    url_schemes={"http", "https", "mailto"},
    url_relative=_relative_url,
    link_rel="noopener noreferrer",
    strip_comments=True,
)

_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_HREF = re.compile(rf'href="(lesson|quiz|page):({_SLUG})"')
#: Where each kind of internal link lives under a course's address.
_SECTIONS = {"lesson": "lessons", "quiz": "quizzes", "page": "pages"}


def _rewrite_links(html: str, course_url: str | None) -> str:
    def replace(match: re.Match[str]) -> str:
        kind, slug = match.group(1), match.group(2)
        if course_url is not None:
            return f'href="{course_url.rstrip("/")}/{_SECTIONS[kind]}/{slug}"'
        # Relative to a lesson page, .../courses/<course>/lessons/<slug>.
        return f'href="{slug}"' if kind == "lesson" else f'href="../{_SECTIONS[kind]}/{slug}"'

    return _HREF.sub(replace, html)


def render_markdown(text: str, *, course_url: str | None = None) -> Markup:
    """Render author Markdown to sanitised HTML.

    ``lesson:SLUG``, ``quiz:SLUG`` and ``page:SLUG`` links become URLs relative to a lesson
    page (``SLUG``, ``../quizzes/SLUG``, ``../pages/SLUG``); pass ``course_url`` (e.g.
    ``/courses/ketamine-basics``) to get absolute ``{course_url}/lessons/SLUG`` links
    instead, for pages elsewhere.
    """
    html = _markdown.markdown(text, extensions=EXTENSIONS, output_format="html")
    html = _rewrite_links(html, course_url)
    return Markup(_CLEANER.clean(html))  # noqa: S704  # nosec B704 - sanitised by nh3 just above


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+).*?\1")
_INLINE = re.compile(r"\]\(\s*<?(lesson|quiz|page):([^\s)>\"']*)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(lesson|quiz|page):([^\s>\"']*)")


def internal_links(text: str) -> list[tuple[str, str, int]]:
    """Every ``lesson:``, ``quiz:`` or ``page:SLUG`` link as (kind, slug, 1-based line).

    Links inside fenced code blocks and inline code are examples, not links, and are skipped.
    """
    found: list[tuple[str, str, int]] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FENCE.match(line)
        if match is not None:
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            continue
        if fence is not None:
            continue
        line = _CODE_SPAN.sub("", line)
        for pattern in (_INLINE, _REFERENCE):
            found.extend((m.group(1), m.group(2), number) for m in pattern.finditer(line))
    return found
