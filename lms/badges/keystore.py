"""The issuer's signing key: one Ed25519 key in a file, never in the database.

`lms badges init-key` writes it as unencrypted PKCS#8 PEM with mode 0600, at
`LMS_BADGES_KEY_FILE` (default: `lms-badges-key.pem` in the app's instance folder). A
file, not a database row, so that a database dump or a read-only SQL account does not
carry the power to sign in the provider's name, and so that it can be a mounted secret.

Replacing the key (`--force`) keeps the old public key in `<key file>.retired`, one
Multikey (`z6Mk...`) a line: the issuer document still lists it, so credentials signed
with it still verify. Delete its line if the old key leaked (its credentials then fail).
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import Flask, current_app

from lms.credentials.keys import (
    KeyFormatError,
    generate_key,
    load_private_key,
    private_key_pem,
    public_key_from_multibase,
    public_key_multibase,
)

log = logging.getLogger(__name__)

KEY_FILE_NAME = "lms-badges-key.pem"
HOW_TO_MAKE_A_KEY = (
    "Run `lms badges init-key` (or `flask lms badges init-key` in a host app) to make one, "
    "or set LMS_BADGES_KEY_FILE to where the key is."
)


class KeyStoreError(RuntimeError):
    """The signing key cannot be written or read; the message says what to do."""


class KeyMissingError(KeyStoreError):
    """There is no signing key yet."""


def key_path(app: Flask | None = None) -> Path:
    """Where the signing key is: LMS_BADGES_KEY_FILE, or the instance folder's file."""
    app = app or current_app
    configured = app.config.get("LMS_BADGES_KEY_FILE")
    if configured:
        return Path(str(configured)).expanduser()
    return Path(app.instance_path) / KEY_FILE_NAME


def retired_path(path: Path) -> Path:
    return path.with_name(path.name + ".retired")


def _write_new(path: Path, data: bytes, *, replace: bool) -> None:
    """Write `data` to `path` with mode 0600: a new file, or atomically replacing one."""
    target = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp") if replace else path
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyStoreError(
            f"A signing key already exists at {path}. Replacing it needs --force "
            "(credentials signed with it keep verifying: its public key is kept as retired)."
        ) from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if replace:
            os.replace(target, path)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def init_key(path: Path, *, force: bool = False) -> tuple[Ed25519PrivateKey, str | None]:
    """Make a new signing key at `path`: (the key, the retired key's Multikey or None).

    Refuses to replace an existing key unless `force`; the replaced key's public half is
    then appended to the `.retired` file before the new key takes its place.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KeyStoreError(f"Cannot make the folder {path.parent}: {error.strerror}.") from None
    exists = path.exists()
    if exists and not force:
        raise KeyStoreError(
            f"A signing key already exists at {path}. Replacing it needs --force "
            "(credentials signed with it keep verifying: its public key is kept as retired)."
        )
    retired: str | None = None
    if exists:
        try:
            retired = public_key_multibase(load_key(path).public_key())
        except KeyStoreError as error:
            log.warning("replacing an unreadable signing key at %s: %s", path, error)
        if retired is not None:
            with retired_path(path).open("a", encoding="ascii") as file:
                file.write(retired + "\n")
    key = generate_key()
    try:
        _write_new(path, private_key_pem(key), replace=exists)
    except OSError as error:
        raise KeyStoreError(f"Cannot write the signing key to {path}: {error.strerror}.") from None
    return key, retired


def load_key(path: Path) -> Ed25519PrivateKey:
    """The signing key at `path`; KeyMissingError when there is none yet."""
    try:
        data = path.read_bytes()
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyMissingError(
            f"No Open Badges signing key at {path}. {HOW_TO_MAKE_A_KEY}"
        ) from None
    except OSError as error:
        raise KeyStoreError(f"Cannot read the signing key {path}: {error.strerror}.") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("the signing key %s can be read by others: chmod 600 it", path)
    try:
        return load_private_key(data)
    except (KeyFormatError, ValueError) as error:
        raise KeyStoreError(f"The signing key {path} is not an Ed25519 key: {error}") from None


def retired_keys(path: Path) -> list[Ed25519PublicKey]:
    """The retired public keys (one `z6Mk...` a line; blank lines and `#` comments skipped)."""
    try:
        lines = retired_path(path).read_text("ascii").splitlines()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        log.warning("cannot read the retired keys next to %s: %s", path, error)
        return []
    keys = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            keys.append(public_key_from_multibase(text))
        except KeyFormatError as error:
            log.warning("%s:%d: skipped, %s", retired_path(path), number, error)
    return keys


def signing_key() -> Ed25519PrivateKey:
    """The current app's signing key (KeyMissingError, saying how to make one)."""
    return load_key(key_path())


def published_keys() -> list[Ed25519PublicKey]:
    """Every public key the issuer document lists: the current one first, then retired."""
    path = key_path()
    current = [load_key(path).public_key()]
    seen = {public_key_multibase(current[0])}
    for key in retired_keys(path):
        if public_key_multibase(key) not in seen:
            seen.add(public_key_multibase(key))
            current.append(key)
    return current
