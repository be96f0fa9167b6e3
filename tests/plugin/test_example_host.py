"""The example host (examples/host_app): its own migrations, users and layout, with the
LMS mounted under /learn."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, Response

from examples.host_app import db
from lms import migrate
from tests.plugin.conftest import add_user, cli, sign_in, start_learning


def test_the_host_and_the_lms_keep_their_own_histories(host: Flask) -> None:
    with host.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"user", "alembic_version", "lms_profile", migrate.VERSION_TABLE} <= tables
        with db.engine.connect() as connection:
            host_revision = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            assert host_revision.scalar() == "0001"
    # The host's autogenerate sees nothing of the LMS's tables (`db check` exits 1 if it
    # would write a migration).
    cli(host, "db", "check")


def test_lms_pages_render_inside_the_hosts_layout(host: Flask) -> None:
    add_user(host, "ana@example.org", "Ana Alves")
    client = host.test_client()
    anonymous = client.get("/learn/dashboard")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/auth/login?next=")  # the host's sign-in

    start_learning(client, "ana@example.org")
    html = client.get("/learn/courses/sp/").get_data(as_text=True)
    # The host's page around the LMS's: its stylesheet, header and script ...
    assert 'href="/static/host.css"' in html
    assert '<a class="host-brand" href="/">Example Clinic</a>' in html
    assert 'src="/static/host.js"' in html
    # ... with the LMS's stylesheet and content scoped under .lms.
    assert 'href="/learn/static/lms/lms.css"' in html
    assert '<div class="lms lms-embedded">' in html
    # The LMS header leads back to the host and signs out there; the name is the host's.
    assert '<a href="/">Back to Example Clinic</a>' in html
    assert '<a href="/auth/logout">Sign out</a>' in html
    assert "Ana Alves" in html
    # No policy from the LMS in a host unless the host asks for one.
    assert "Content-Security-Policy" not in client.get("/learn/courses/sp/").headers


def test_the_host_signs_out_and_the_lms_follows(host: Flask) -> None:
    add_user(host, "ana@example.org", "Ana Alves")
    client = host.test_client()
    sign_in(client, "ana@example.org")
    assert client.get("/learn/").status_code in (200, 302)
    assert client.get("/auth/logout").status_code == 302
    assert client.get("/learn/dashboard").headers["Location"].startswith("/auth/login")


HOST_POLICY = "default-src 'self'; script-src 'self' https://cdn.example.org; img-src *"


def test_a_host_that_opts_in_gets_its_policy_merged_with_the_lms_one(
    empty_database_url: str,
) -> None:
    from examples.host_app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "LMS_CONTENT_SECURITY_POLICY": "strict",
        }
    )

    @app.after_request  # the host's own policy, set the way Flask-Talisman sets it
    def host_policy(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = HOST_POLICY
        return response

    cli(app, "db", "upgrade")
    cli(app, "lms", "db", "upgrade")
    client = app.test_client()
    assert client.get("/").headers["Content-Security-Policy"] == HOST_POLICY
    policy = {
        part.split()[0]: part.split()[1:]
        for part in client.get("/learn/").headers["Content-Security-Policy"].split("; ")
    }
    assert policy["script-src"] == ["'self'", "https://cdn.example.org"]  # both sides' sources
    assert policy["object-src"] == ["'self'"]  # the host's default-src opens what it allows
    assert policy["img-src"] == ["*", "'self'", "data:"]
    assert "base-uri" not in policy  # the host leaves it unrestricted
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
