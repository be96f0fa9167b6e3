"""The course outline as a learner reads it: each lock names what to do first, each module
says once when it opens, and modules that are over fold away."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import post_form
from tests.learning.conftest import days_ago, make_cohort, read_module_one
from tests.learning.test_lessons import _hand_in_quiz


def outline_items(html: str) -> dict[str, str]:
    """Each outline item's title -> the item's text (lock message, status)."""
    items = re.findall(r'<li class="lms-outline-item[^"]*">(.*?)</li>', html, re.S)
    found = {}
    for item in items:
        text = re.sub(r"<[^>]+>", " ", item)
        text = re.sub(r"\s+", " ", text).strip()
        title = re.search(
            r"lms-item-title[^>]*>(?:<svg.*?</svg><span[^>]*>Locked: </span>)?([^<]+)<", item, re.S
        )
        assert title, item
        found[title.group(1).strip()] = text
    return found


def test_each_lock_names_the_item_just_before_it(client: FlaskClient, nurse: str) -> None:
    post_form(client, "/courses/sp/enrol", {})
    items = outline_items(client.get("/courses/sp/").get_data(as_text=True))
    assert "opens when" not in items["Lesson one"]
    assert "This opens when you have finished “Lesson one”." in items["Lesson two"]
    assert "This opens when you have finished “Lesson two”." in items["Check"]
    # The 403 page of a locked item says the same.
    locked = client.get("/courses/sp/quizzes/check")
    assert locked.status_code == 403
    assert "This opens when you have finished “Lesson two”." in locked.get_data(as_text=True)

    post_form(client, "/courses/sp/lessons/lesson-one/complete", {})
    items = outline_items(client.get("/courses/sp/").get_data(as_text=True))
    assert "opens when" not in items["Lesson two"]
    assert "This opens when you have finished “Lesson two”." in items["Check"]


def test_a_cohort_module_says_once_when_it_opens(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    cohort_id, _ = make_cohort(app, starts_on=days_ago(2))
    post_form(client, f"/courses/co/cohorts/{cohort_id}/join", {})
    html = client.get("/courses/co/").get_data(as_text=True)
    opens = (days_ago(2) + timedelta(days=7)).strftime("%A %-d %B %Y")
    outline = html[html.index('<ol class="lms-outline">') :]
    assert outline.count(f"Opens {opens}") == 1
    assert outline.count("opens on") == 0  # no item repeats its module's date
    items = outline_items(html)
    assert items["Week two pre-work"].startswith("Lesson Locked: Week two pre-work")
    assert "Locked:" in re.sub(r"<[^>]+>", " ", outline)


def test_modules_that_are_over_fold_away(app: Flask, client: FlaskClient, nurse: str) -> None:
    cohort_id, _ = make_cohort(app, starts_on=days_ago(9))  # week one is past its due date
    post_form(client, f"/courses/co/cohorts/{cohort_id}/join", {})
    html = client.get("/courses/co/").get_data(as_text=True)
    modules = re.findall(
        r'<details class="lms-outline-details"( open)?>\s*<summary>\s*<h3[^>]*>([^<]+)<', html
    )
    assert [(title.strip(), bool(opened)) for opened, title in modules] == [
        ("Week one", False),
        ("Week two", True),
    ]
    # On a page of week one, its module stays open in the side outline.
    lesson = client.get("/courses/co/lessons/prework").get_data(as_text=True)
    side = lesson[lesson.index('class="lms-course-nav"') :]
    assert re.search(
        r'<details class="lms-outline-details" open>\s*<summary>\s*<h3[^>]*>Week one', side
    )


def test_a_complete_module_folds_in_a_self_paced_course(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    post_form(client, "/courses/sp/enrol", {})
    read_module_one(client)
    _hand_in_quiz(app, nurse)
    html = client.get("/courses/sp/").get_data(as_text=True)
    modules = re.findall(
        r'<details class="lms-outline-details"( open)?>\s*<summary>\s*<h3[^>]*>([^<]+)<', html
    )
    assert [(title.strip(), bool(opened)) for opened, title in modules] == [
        ("First module", False),
        ("Second module", True),
    ]
    assert "2 of 3 required items done" not in html
    assert "3 of 3 required items done." in html
