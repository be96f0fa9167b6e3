"""Throttles shared by every process and host (issue 14, "Scale past one machine"): with
LMS_RATELIMIT_STORAGE_URI on Redis, sign-in attempts spread over two gunicorn servers add
up to one limit; in memory, each server counts alone (why the setting exists).

Redis runs on 127.0.0.1:6379 (LMS_TEST_REDIS_URL to use another); each test keeps its keys
under a prefix of its own (LMS_RATELIMIT_KEY_PREFIX) and deletes only those. Without a
Redis server the Redis tests skip, saying so, except when LMS_TEST_REQUIRE_REDIS=1 (CI).
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

import lms.throttle
from lms.accounts.throttle import TOO_MANY
from lms.accounts.views import TOO_MANY_SIGN_UPS
from lms.database import Base
from tests.conftest import app_with_tables, post_form
from tests.security.test_server_header import REPO, first_response_headers, free_port

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRED = os.environ.get("LMS_TEST_REQUIRE_REDIS") == "1"


@pytest.fixture
def redis_keys() -> Iterator[tuple[str, Any]]:
    """A key prefix of this test's own, and a Redis client; the prefix's keys go after."""
    redis = pytest.importorskip("redis", reason="the redis client is in the [redis] extra")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if REQUIRED:
            pytest.fail(f"LMS_TEST_REQUIRE_REDIS=1 but no Redis server at {REDIS_URL}")
        pytest.skip(f"no Redis server at {REDIS_URL}")
    prefix = f"lms-test-{uuid.uuid4().hex}"
    yield prefix, client
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


class Browser:
    """One person's browser: its session cookie, sent to whichever server it asks."""

    def __init__(self) -> None:
        self.cookie = ""

    def request(self, port: int, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(
                "GET" if form is None else "POST",
                path,
                body=None if form is None else urlencode(form),
                headers=headers,
            )
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, text

    def csrf_token(self, port: int) -> str:
        status, page = self.request(port, "/sign-in")
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
        assert status == 200 and match, page
        return match.group(1)


@contextmanager
def two_servers(tmp_path: Path, settings: dict[str, str]) -> Iterator[list[int]]:
    """Two gunicorn servers of the standalone app, as on two hosts: one database, one
    secret, the given settings; their ports."""
    database = f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    engine = sa.create_engine(database)
    Base.metadata.create_all(engine)  # the tables (tests/foundation test the migrations)
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "FLASK_"))}
    env |= {
        "LMS_SECRET_KEY": "shared-throttle-test",
        "LMS_DATABASE_URL": database,
        "LMS_BASE_URL": "http://127.0.0.1",
        "PYTHONPATH": str(REPO),
    } | settings
    ports = [free_port(), free_port()]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        logs = [tmp_path / f"server-{n}.log" for n in range(len(ports))]
        for port, log in zip(ports, logs, strict=True):
            command = [sys.executable, "-m", "gunicorn", "-c", "python:lms.deploy.gunicorn_conf"]
            command += ["-w", "1", "-b", f"127.0.0.1:{port}", "lms:create_app()"]
            with log.open("wb") as output:
                processes.append(
                    subprocess.Popen(command, cwd=tmp_path, env=env, stdout=output, stderr=output)
                )
        for port, process, log in zip(ports, processes, logs, strict=True):
            first_response_headers(port, process, log)  # serving
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def guesses_spread_over(ports: list[int], count: int) -> list[int]:
    """`count` wrong passwords for one account, sent to each server in turn."""
    browser = Browser()
    token = browser.csrf_token(ports[0])  # one session, valid on both (one secret)
    form = {"csrf_token": token, "email": "ana@example.com", "password": "not the password"}
    statuses = []
    for n in range(count):
        status, page = browser.request(ports[n % 2], "/sign-in", form)
        statuses.append(status)
        if status == 429:
            assert TOO_MANY in page
    return statuses


def test_sign_in_attempts_spread_over_two_servers_count_against_one_limit(
    tmp_path: Path, redis_keys: tuple[str, Any]
) -> None:
    prefix, redis = redis_keys
    settings = {"LMS_RATELIMIT_STORAGE_URI": REDIS_URL, "LMS_RATELIMIT_KEY_PREFIX": prefix}
    with two_servers(tmp_path, settings) as ports:
        # Ten a quarter hour per account (lms.accounts.throttle), five on each server.
        assert guesses_spread_over(ports, 12) == [200] * 10 + [429] * 2
    keys = [key.decode() for key in redis.scan_iter(match=f"{prefix}:*")]
    assert any("sign-in-account" in key for key in keys), keys  # counted where it says


def test_in_memory_each_server_counts_alone(tmp_path: Path) -> None:
    """What the Redis storage fixes: twelve guesses, six per server, none refused."""
    with two_servers(tmp_path, {"LMS_RATELIMIT_STORAGE_URI": "memory://"}) as ports:
        assert guesses_spread_over(ports, 12) == [200] * 12


SIGN_UP = {
    "name": "Nadia Nurse",
    "email": "nadia@example.com",
    "password": "a long enough password",
    "confirm": "a long enough password",
    "profession": "nurse",
    "licence_type": "RN",
    "licence_number": "98765",
}


def test_view_throttles_of_two_apps_share_one_count(
    database_url: str, redis_keys: tuple[str, Any]
) -> None:
    """The LMS's own throttles (sign-up, invite codes: lms.throttle), which host apps have
    too: two apps with their own counters, one Redis, one limit of five sign-ups an hour."""
    prefix, _ = redis_keys
    settings = {"LMS_RATELIMIT_STORAGE_URI": REDIS_URL, "LMS_RATELIMIT_KEY_PREFIX": prefix}
    with (
        app_with_tables(database_url, **settings) as first,
        app_with_tables(database_url, **settings) as second,
    ):
        assert first.extensions["lms"] is not second.extensions["lms"]
        clients = [first.test_client(), second.test_client()]
        statuses = [post_form(clients[n % 2], "/sign-up", SIGN_UP).status_code for n in range(6)]
        assert statuses == [200] * 5 + [429]
        refused = post_form(clients[1], "/sign-up", SIGN_UP)
        assert TOO_MANY_SIGN_UPS in refused.get_data(as_text=True)


def test_with_redis_unreachable_the_site_serves_and_each_process_still_counts(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis down (or restarting): no 500, the limits still hold, counted per process."""
    pytest.importorskip("redis", reason="the redis client is in the [redis] extra")
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with app_with_tables(database_url, LMS_RATELIMIT_STORAGE_URI=nowhere) as app:
        client = app.test_client()
        guess = {"email": "ana@example.com", "password": "not the password"}
        statuses = [post_form(client, "/sign-in", guess).status_code for _ in range(11)]
        assert statuses == [200] * 10 + [429]
        sign_ups = [post_form(client, "/sign-up", SIGN_UP).status_code for _ in range(6)]
        assert sign_ups == [200] * 5 + [429]
    assert "Throttle storage unreachable (ConnectionError)" in caplog.text


@contextmanager
def redis_server(port: int, folder: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A Redis server of this test's own on 127.0.0.1:`port`, keeping nothing on disk."""
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server program")
    command = ["redis-server", "--bind", "127.0.0.1", "--port", str(port)]
    command += ["--save", "", "--appendonly", "no", "--dir", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_lms_throttles_ride_out_a_redis_restart(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis stops: sign-ups go on, counted in the process; Redis is back: counted there."""
    redis = pytest.importorskip("redis", reason="the redis client is in the [redis] extra")
    monkeypatch.setattr(lms.throttle, "RETRY_SHARED_AFTER", 0)  # try Redis on every hit
    port = free_port()
    uri = f"redis://127.0.0.1:{port}/0"

    def sign_ups(client: Any, count: int) -> list[int]:
        return [post_form(client, "/sign-up", SIGN_UP).status_code for _ in range(count)]

    with app_with_tables(database_url, LMS_RATELIMIT_STORAGE_URI=uri) as app:
        client = app.test_client()
        with redis_server(port, tmp_path):
            assert sign_ups(client, 3) == [200] * 3
            assert redis.Redis.from_url(uri).keys("lms:*")  # counted in Redis
        assert sign_ups(client, 3) == [200] * 3  # Redis is down: no 500
        with redis_server(port, tmp_path):  # back, empty (it kept nothing)
            assert sign_ups(client, 6) == [200] * 5 + [429]  # its own count again
            assert redis.Redis.from_url(uri).keys("lms:*")
