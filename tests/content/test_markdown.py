"""`render_markdown`: features render, hostile input does not survive; `internal_links`."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from lms.content.markdown import internal_links, render_markdown

HOSTILE: dict[str, str] = {
    "script": "<script>alert(1)</script>",
    "script-in-paragraph": "Hello <script>alert(1)</script> world",
    "img-onerror": '<img src="x.png" onerror="alert(1)">',
    "img-onerror-in-text": "Look: <img src=x onerror=alert(1)> here",
    "a-javascript": '<a href="javascript:alert(1)">click</a>',
    "javascript-entities": '<a href="JaVaScRiPt&#58;alert(1)">click</a>',
    "javascript-numeric-entities": '<a href="&#106;&#97;&#118;&#97;script:alert(1)">c</a>',
    "javascript-tab": '<a href="java\tscript:alert(1)">click</a>',
    "javascript-tab-entity": '<a href="java&#9;script:alert(1)">click</a>',
    "javascript-newline-entity": '<a href="java&#x0A;script:alert(1)">click</a>',
    "javascript-leading-space": '<a href=" &#14; javascript:alert(1)">click</a>',
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "svg-onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "style": "<style>body { background: url(javascript:alert(1)) }</style>",
    "style-attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "data-img": '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    "data-link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "markdown-javascript": "[x](javascript:alert(1))",
    "markdown-javascript-upper": "[x](JAVASCRIPT:alert(1))",
    "markdown-image-javascript": "![x](javascript:alert(1))",
    "object": '<object data="javascript:alert(1)"></object><embed src="x.swf">',
    "form": '<form action="javascript:alert(1)"><input onfocus=alert(1) autofocus></form>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "comment": "<!-- <script>alert(1)</script> -->",
    "fake-admonition-class": '<div class="admonition note" onclick="alert(1)">x</div>',
}

FORBIDDEN = (
    "<script",
    "alert(",
    "javascript",
    "onerror",
    "onload",
    "onclick",
    "onfocus",
    "<iframe",
    "<svg",
    "<style",
    "style=",
    "data:",
    "<object",
    "<embed",
    "<form",
    "<input",
    "<meta",
    "<!--",
)


@pytest.mark.parametrize("source", HOSTILE.values(), ids=list(HOSTILE))
def test_hostile_markup_does_not_survive(source: str) -> None:
    html = str(render_markdown(source)).lower()
    for fragment in FORBIDDEN:
        assert fragment not in html, (fragment, html)


def test_returns_markup() -> None:
    assert type(render_markdown("*hi*")) is Markup
    assert render_markdown("*hi*") == Markup("<p><em>hi</em></p>")


def test_table_renders_with_alignment_only() -> None:
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    assert "<table>" in html
    assert "<thead>" in html
    assert '<th style="text-align:left">a</th>' in html
    assert '<td style="text-align:right">2</td>' in html


def test_fenced_code_is_escaped_and_keeps_its_language() -> None:
    html = render_markdown('```python\nprint("<b>")\n```\n')
    assert '<pre><code class="language-python">' in html
    assert "&lt;b&gt;" in html


def test_admonition_renders_with_its_classes() -> None:
    html = render_markdown('!!! note "Key point"\n    Admonitions render.\n')
    assert '<div class="admonition note">' in html
    assert '<p class="admonition-title">Key point</p>' in html
    assert "<p>Admonitions render.</p>" in html


def test_unknown_classes_are_dropped() -> None:
    html = render_markdown('<div class="admonition note evil">x</div>\n\n!!! shady\n    y\n')
    assert "evil" not in html
    assert "shady" not in html
    assert '<div class="admonition note">' in html


def test_headings_get_ids() -> None:
    html = render_markdown("## Set and setting\n")
    assert '<h2 id="set-and-setting">Set and setting</h2>' in html


def test_footnotes_render() -> None:
    html = render_markdown("Claim.[^1]\n\n[^1]: Source.\n")
    assert 'href="#fn:1"' in html
    assert '<li id="fn:1">' in html


def test_external_links_keep_href_and_get_rel() -> None:
    html = render_markdown("[site](https://example.org/a) and [mail](mailto:a@example.org)")
    assert '<a href="https://example.org/a" rel="noopener noreferrer">site</a>' in html
    assert 'href="mailto:a@example.org"' in html


def test_images_keep_only_src_alt_title() -> None:
    html = render_markdown('![A chart](chart.png "Title")')
    assert '<img alt="A chart" src="chart.png" title="Title">' in html


def test_internal_links_are_rewritten() -> None:
    html = render_markdown("[next](lesson:set-and-setting) and [check](quiz:basics-check)")
    assert '<a href="set-and-setting" rel="noopener noreferrer">next</a>' in html
    assert '<a href="../quizzes/basics-check" rel="noopener noreferrer">check</a>' in html
    assert "lesson:" not in html
    assert "quiz:" not in html


def test_internal_links_with_a_course_url() -> None:
    html = render_markdown(
        "[a](lesson:intro) [b](quiz:final)", course_url="/learn/courses/ketamine-basics/"
    )
    assert 'href="/learn/courses/ketamine-basics/lessons/intro"' in html
    assert 'href="/learn/courses/ketamine-basics/quizzes/final"' in html


def test_malformed_internal_link_is_dropped_not_rewritten() -> None:
    html = render_markdown("[x](lesson:Not_A_Slug)")
    assert "href" not in html
    assert ">x</a>" in html


def test_internal_links_are_found_with_lines() -> None:
    text = (
        "Intro [a](lesson:first)\n"
        "\n"
        "See [b](quiz:final-check 'Title') and [c]( lesson:second ).\n"
        "```\n"
        "[not a link](lesson:in-code)\n"
        "```\n"
        "Inline `[code](lesson:inline)` is not a link either.\n"
        "[ref]: lesson:by-reference\n"
        "[web](https://example.org)\n"
    )
    assert internal_links(text) == [
        ("lesson", "first", 1),
        ("quiz", "final-check", 3),
        ("lesson", "second", 3),
        ("lesson", "by-reference", 8),
    ]
