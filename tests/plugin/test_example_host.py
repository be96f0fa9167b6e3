"""The example host (examples/host_app): its own migrations, users and layout, with the
LMS mounted under /learn."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

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
