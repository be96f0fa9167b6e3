"""`lms badges init-key`: makes the signing key once, owner-readable only, and refuses to
replace it without --force (the replaced key stays listed, so its credentials verify)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from lms.credentials.keys import load_private_key, public_key_multibase


def init_key(runner: FlaskCliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(args=["lms", "badges", "init-key", *args])
    return result.exit_code, result.output


def test_init_key_writes_an_owner_only_ed25519_key(runner: FlaskCliRunner, key_file: Path) -> None:
    code, output = init_key(runner)
    assert code == 0, output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = load_private_key(key_file.read_bytes())
    assert key_file.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public_key_multibase(key.public_key()) in output
    assert str(key_file) in output


def test_init_key_refuses_to_replace_a_key_without_force(
    runner: FlaskCliRunner, key_file: Path
) -> None:
    assert init_key(runner)[0] == 0
    before = key_file.read_bytes()
    code, output = init_key(runner)
    assert code != 0
    assert "already exists" in output and "--force" in output
    assert key_file.read_bytes() == before  # untouched


def test_force_replaces_the_key_and_keeps_the_old_public_key_as_retired(
    runner: FlaskCliRunner, key_file: Path
) -> None:
    assert init_key(runner)[0] == 0
    old = public_key_multibase(load_private_key(key_file.read_bytes()).public_key())
    code, output = init_key(runner, "--force")
    assert code == 0, output
    new = public_key_multibase(load_private_key(key_file.read_bytes()).public_key())
    assert new != old
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.with_name(key_file.name + ".retired").read_text().split() == [old]
    assert f"The old key {old} is retired" in output
    assert not [p for p in key_file.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_key_path_that_cannot_be_made_is_a_clear_error(
    runner: FlaskCliRunner, key_file: Path
) -> None:
    key_file.parent.write_text("a file where the key's folder should be")
    code, output = init_key(runner)
    assert code != 0
    assert f"Cannot make the folder {key_file.parent}" in output
    assert "Traceback" not in output


def test_issue_needs_the_base_url_outside_tests(database_url: str, key_file: Path) -> None:
    """Every URL in a badge comes from LMS_BASE_URL: without it `issue` signs nothing."""
    from lms import create_app

    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LMS_BADGES_KEY_FILE": str(key_file),
        "LMS_BASE_URL": None,
    }
    app = create_app(config, allow_missing_secret=True)
    result = app.test_cli_runner().invoke(args=["lms", "badges", "issue"])
    assert result.exit_code != 0
    assert "LMS_BASE_URL is not set" in result.output
    assert "Traceback" not in result.output


def test_a_broken_line_in_the_retired_keys_is_skipped(app: Flask, runner: FlaskCliRunner,
                                                       key_file: Path) -> None:  # fmt: skip
    assert init_key(runner)[0] == 0
    assert init_key(runner, "--force")[0] == 0
    retired = key_file.with_name(key_file.name + ".retired")
    old = retired.read_text().strip()
    retired.write_text(f"# retired keys\n\nnot-a-key\n{old}\nz6MkTooShort\n")
    issuer = app.test_client().get("/badges/issuer").get_json(force=True)
    listed = [method["publicKeyMultibase"] for method in issuer["verificationMethod"]]
    current = public_key_multibase(load_private_key(key_file.read_bytes()).public_key())
    assert listed == [current, old]


def test_an_unreadable_key_is_a_clear_error(app: Flask, key_file: Path) -> None:
    key_file.parent.mkdir()
    key_file.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    response = app.test_client().get("/badges/issuer")
    assert response.status_code == 404
    assert "no usable signing key" in response.get_data(as_text=True)
    from lms.badges.keystore import KeyStoreError, load_key

    with pytest.raises(KeyStoreError, match="is not an Ed25519 key"):
        load_key(key_file)
