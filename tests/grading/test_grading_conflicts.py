"""Two instructors grading the same answer never silently overwrite each other: the second
save is refused with a 409 that shows the current grade, whether they post one after the
other or at the same moment."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import Grade
from tests.conftest import csrf_token
from tests.grading.conftest import (
    World,
    client_for,
    grade_form,
    grade_url,
    hand_in,
    page_version,
    post_grade,
    text,
)


def stored_grade(app: Flask, answer_id: int) -> tuple[Decimal, str, int]:
    with app.app_context():
        grade = session.scalar(sa.select(Grade).where(Grade.answer_id == answer_id))
        assert grade is not None
        return grade.score, grade.feedback, grade.version


def test_the_second_of_two_saves_from_the_same_screen_gets_409(app: Flask, world: World) -> None:
    _attempt_id, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    ada = client_for(app, "ada@example.com")
    iris_version, ada_version = page_version(iris, answer_id), page_version(ada, answer_id)
    assert iris_version == ada_version == "0"

    first = post_grade(app, iris, answer_id, scores=("3", "2"), feedback="Iris: very good.")
    assert first.status_code == 302
    second = post_grade(
        app, ada, answer_id, scores=("1", "1"), feedback="Ada: thin.", version=ada_version
    )
    assert second.status_code == 409
    page = text(second)
    assert "This answer was changed by Iris Instructor at" in page
    assert "review their grade and save again" in page
    assert "Iris: very good." in page  # the current values fill the form
    assert "Ada: thin." in page  # and what Ada typed is shown, not lost
    assert 'name="version" value="1"' in page
    assert stored_grade(app, answer_id) == (Decimal(5), "Iris: very good.", 1)

    # Both load version 1; Ada saves first this time; Iris's stale save is refused.
    iris_version, ada_version = page_version(iris, answer_id), page_version(ada, answer_id)
    assert post_grade(app, ada, answer_id, feedback="Ada again.").status_code == 302
    stale = post_grade(app, iris, answer_id, feedback="Iris again.", version=iris_version)
    assert stale.status_code == 409
    assert "changed by Ada Admin" in text(stale)
    assert stored_grade(app, answer_id)[1:] == ("Ada again.", 2)

    # A release based on an old version is refused the same way.
    release = iris.post(
        f"{grade_url(answer_id)}/release",
        data={"version": "1", "csrf_token": csrf_token(iris, grade_url(answer_id))},
    )
    assert release.status_code == 409
    assert stored_grade(app, answer_id)[2] == 2


def post_at_once(
    app: Flask, answer_id: int, forms: list[tuple[FlaskClient, dict[str, Any]]]
) -> list[int]:
    """Post each (client, form) from its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(forms))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def press(client: FlaskClient, data: dict[str, Any]) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(grade_url(answer_id), data=data).status_code)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=press, args=pair) for pair in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return sorted(statuses)


@pytest.mark.parametrize("rounds", [3])
def test_two_instructors_posting_at_the_same_moment_one_wins(
    app: Flask, world: World, rounds: int
) -> None:
    _attempt_id, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    ada = client_for(app, "ada@example.com")
    for round_number in range(rounds):
        version = page_version(iris, answer_id)
        forms = []
        for client, name in ((iris, "Iris"), (ada, "Ada")):
            data = grade_form(
                app, answer_id, feedback=f"{name} round {round_number}", version=version
            )
            data["csrf_token"] = csrf_token(client, grade_url(answer_id))
            forms.append((client, data))
        assert post_at_once(app, answer_id, forms) == [302, 409]
        _score, feedback, stored_version = stored_grade(app, answer_id)
        assert feedback in (f"Iris round {round_number}", f"Ada round {round_number}")
        assert stored_version == round_number + 1
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Grade.id))) == 1
