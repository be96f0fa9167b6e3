"""The public "check a badge" page: an employer pastes or uploads the badge a learner gave
them and learns whether it is this site's, unchanged, not revoked, and theirs."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.badges.test_badges import download, signed_in_admin
from tests.conftest import Users, post_form

CHECK = "/badges/verify"
FIXTURES = Path(__file__).parents[1] / "credentials" / "fixtures"


def check(client: FlaskClient, badge: str = "", email: str = "", **files: Any) -> Any:
    data: dict[str, Any] = {"badge": badge, "email": email, **files}
    return post_form(client, CHECK, data, token_from=CHECK, content_type="multipart/form-data")


def test_a_genuine_badge_verifies_and_says_what_it_states(
    app: Flask, learner: FlaskClient, earned: str
) -> None:
    badge = download(learner, earned).get_data(as_text=True)
    employer = app.test_client()
    assert employer.get(CHECK).status_code == 200
    page = check(employer, badge, "Nora@Example.com ").get_data(as_text=True)
    assert "This badge verifies" in page
    for fact in ("Nora Nurse", "Credit basics", "Nursing contact hours", "Psychology CE credits"):
        assert fact in page, fact
    assert "✓ It names the email address you gave." in page
    assert f'href="/certificates/{earned}"' in page

    other = check(employer, badge, "someone@example.com").get_data(as_text=True)
    assert "✗ It does not name the email address you gave." in other

    uploaded = check(employer, badge_file=(io.BytesIO(badge.encode()), "open-badge.json"))
    assert "This badge verifies" in uploaded.get_data(as_text=True)


def test_a_changed_revoked_or_foreign_badge_does_not_verify(
    app: Flask, users: Users, learner: FlaskClient, earned: str
) -> None:
    badge = download(learner, earned).get_json(force=True)
    employer = app.test_client()

    changed = json.loads(json.dumps(badge))
    changed["credentialSubject"]["result"][0]["value"] = "20"
    page = check(employer, json.dumps(changed)).get_data(as_text=True)
    assert "This badge does not verify" in page
    assert "the signature does not match the credential" in page
    assert "Nora Nurse" not in page  # an altered badge's claims are not repeated

    foreign = (FIXTURES / "example_badge.json").read_text()
    page = check(employer, foreign).get_data(as_text=True)
    assert "This badge does not verify" in page
    assert "it was not signed by this site" in page

    admin = signed_in_admin(app, users)
    path = f"/admin/certificates/{earned}"
    post_form(admin, f"{path}/revoke", {"revoke-reason": "Wrong course."}, token_from=path)
    page = check(employer, json.dumps(badge)).get_data(as_text=True)
    assert "This badge is revoked" in page and "no longer valid" in page


def test_what_is_not_a_badge_is_a_clear_400(app: Flask, earned: str) -> None:
    employer = app.test_client()
    cases = {
        "": "Choose the badge file, or paste the badge.",
        "not json": "This is not JSON (line 1, column 1",
        "[1, 2]": "a badge is a JSON object",
        "[" * 100_000: "A badge is at most 64 KB.",
        "{" + '"a": ' * 20_000 + "1" + "}" * 20_000: "A badge is at most 64 KB.",
        "[" * 5_000 + "]" * 5_000: "nested too deeply",
    }
    for badge, message in cases.items():
        response = check(employer, badge)
        assert response.status_code == 400, (badge[:20], response.status_code)
        assert message in response.get_data(as_text=True), badge[:20]
    big = check(employer, badge_file=(io.BytesIO(b"{" + b" " * 70_000 + b"}"), "big.json"))
    assert big.status_code == 400 and "this file is larger" in big.get_data(as_text=True)
    binary = check(employer, badge_file=(io.BytesIO(b"\xff\xfe\x00\x01"), "b.json"))
    assert binary.status_code == 400 and "not text" in binary.get_data(as_text=True)
    bad_email = check(employer, "{}", "not an email")
    assert bad_email.status_code == 400
    assert "Enter an email address" in bad_email.get_data(as_text=True)
    # A JSON object that is not a credential: checked, and said not to verify.
    page = check(employer, '{"type": "nothing"}').get_data(as_text=True)
    assert "This badge does not verify" in page
