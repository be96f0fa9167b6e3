"""Essays and grader feedback are text, never markup: script tags, event handlers and
template syntax come back escaped on every page that shows them."""

from __future__ import annotations

import html

from flask import Flask

from tests.conftest import post_form
from tests.grading.conftest import PAYLOADS, World, client_for, grade_url, hand_in, post_grade, text

WORDS = " and then enough plain words to pass the ten word minimum here."


def assert_inert(page: str, payload: str, where: str) -> None:
    """The payload is shown as text: escaped, never raw; template syntax not evaluated."""
    if "<" in payload:
        assert payload not in page, where
        assert html.escape(payload, quote=False) in page.replace("&#39;", "'"), where
    else:
        assert payload in page, where  # shown literally, so never evaluated


def test_payloads_in_essays_and_feedback_are_escaped_everywhere(app: Flask, world: World) -> None:
    essay = " ".join(PAYLOADS) + WORDS
    feedback = "\n".join(PAYLOADS)
    attempt_id, answer_id = hand_in(app, "ana@example.com", essay=essay)
    iris = client_for(app, "iris@example.com")
    assert post_grade(app, iris, answer_id, feedback=feedback, action="release").status_code == 302
    note = "Revise: " + " ".join(PAYLOADS)
    returned = post_form(
        iris, f"{grade_url(answer_id)}/return", {"note": note}, token_from=grade_url(answer_id)
    )
    assert returned.status_code == 302

    ana = client_for(app, "ana@example.com")
    pages = {
        "grading screen": text(iris.get(grade_url(answer_id))),
        "queue": text(iris.get("/teach/grading")),
        "learner review": text(ana.get(f"/attempts/{attempt_id}/review")),
        "dashboard": text(ana.get("/dashboard")),
        "notifications": text(ana.get("/notifications")),
    }
    for payload in PAYLOADS:
        for where in ("grading screen", "learner review"):
            assert_inert(pages[where], payload, where)
        for where, page in pages.items():
            if "<" in payload:
                assert payload not in page, (where, payload)
    assert "<script>alert" not in "".join(pages.values())
    assert "onerror=alert(1)>" not in "".join(pages.values())

    # A resubmission carrying payloads, and a form error that echoes them back.
    resubmit_url = f"/attempts/{attempt_id}/answers/{answer_id}/resubmit"
    short = post_form(ana, resubmit_url, {"response": PAYLOADS[1]})
    assert short.status_code == 400
    assert_inert(text(short), PAYLOADS[1], "resubmit error")
    done = post_form(ana, resubmit_url, {"response": PAYLOADS[0] + WORDS})
    assert done.status_code == 302
    assert_inert(text(iris.get(grade_url(answer_id))), PAYLOADS[0], "screen after resubmit")
    bad_filter = text(iris.get("/teach/grading?cohort=<script>alert(1)</script>"))
    assert "<script>alert(1)</script>" not in bad_filter
