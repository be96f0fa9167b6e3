"""Throttling inside LMS views, in the standalone app and in a host app alike.

    throttle("join", JOIN_PER_LEARNER, f"profile:{profile.id}", message)

Each call counts one hit against a limit ("10 per hour") for a key, atomically in the
storage at LMS_RATELIMIT_STORAGE_URI (memory by default, per process; Redis to share it
between workers), over a moving window; past the limit it aborts with a 429 that says
when to try again. A view calls it where an attempt starts to cost something (a mail
sent, a code looked up), so a person correcting a form is not counted.

The standalone app's sign-in and forgot-password limits are decorators on those views
(`lms.accounts.throttle`, Flask-Limiter); this module serves the views a host app has
too, where the LMS must not set up Flask-Limiter on the host's behalf.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from limits import RateLimitItem, parse
from limits.errors import ConfigurationError, StorageError
from limits.storage import SCHEMES, MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

#: Seconds a throttle counts in its own process after the shared storage failed, before
#: it tries the shared one again.
RETRY_SHARED_AFTER = 30


@dataclass
class Throttle:
    """The counters of one app (kept in its `LMSState`).

    When the shared storage (Redis) cannot be reached, the throttle keeps counting in this
    process's memory (each process then has its own counts, as without Redis) and tries
    the shared storage again after RETRY_SHARED_AFTER seconds: the site keeps serving, and
    keeps throttling, through a Redis restart.
    """

    shared: MovingWindowRateLimiter
    local: MovingWindowRateLimiter | None = None  # None: the storage is memory already
    shared_down_until: float = 0.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Throttle:
        uri = config["LMS_RATELIMIT_STORAGE_URI"]
        check_storage(uri)
        shared = MovingWindowRateLimiter(storage_from_string(uri, **storage_options(config)))
        local = None if is_memory(uri) else MovingWindowRateLimiter(MemoryStorage())
        return cls(shared, local)

    def hit(self, limit: RateLimitItem, scope: str, key: str) -> int | None:
        """Count one hit; None if within the limit, else the seconds until one is free."""
        if self.local is not None and time.monotonic() < self.shared_down_until:
            return self._hit(self.local, limit, scope, key)
        try:
            return self._hit(self.shared, limit, scope, key)
        except StorageError as error:
            if self.local is None:
                raise
            current_app.logger.warning(
                "Throttle storage unreachable (%s): counting in this process for %d s",
                type(error.storage_error).__name__,
                RETRY_SHARED_AFTER,
            )
            self.shared_down_until = time.monotonic() + RETRY_SHARED_AFTER
            return self._hit(self.local, limit, scope, key)

    @staticmethod
    def _hit(limiter: MovingWindowRateLimiter, limit: RateLimitItem, *keys: str) -> int | None:
        if limiter.hit(limit, "lms", *keys):
            return None
        reset = limiter.get_window_stats(limit, "lms", *keys).reset_time
        return max(1, math.ceil(reset - time.time()))


def is_memory(uri: str) -> bool:
    return urlsplit(uri).scheme == "memory"


def storage_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """Options of the limits storage: keys (in Redis) start with LMS_RATELIMIT_KEY_PREFIX;
    its errors (Redis unreachable) come as limits' StorageError."""
    return {"key_prefix": config["LMS_RATELIMIT_KEY_PREFIX"], "wrap_exceptions": True}


def check_storage(uri: str) -> None:
    """ConfigError at start-up, not a 500 at the first sign-in, when the storage at `uri`
    cannot be used: an unknown scheme, or Redis without the redis client installed. (The
    URI is not repeated: it may hold a password.)"""
    from lms.config import ConfigError

    scheme = urlsplit(uri).scheme
    if scheme not in SCHEMES or scheme.startswith("async+"):
        raise ConfigError(
            f"LMS_RATELIMIT_STORAGE_URI must be memory:// or redis://host:port "
            f"(or another storage of the limits package), not a {scheme or 'scheme-less'} URI."
        )
    if is_memory(uri):
        return
    try:
        storage_from_string(uri, key_prefix="check")  # connects only when first used
    except ConfigurationError:
        raise ConfigError(
            f"LMS_RATELIMIT_STORAGE_URI is a {scheme} URI, but the package it needs is not "
            f"installed (for Redis: pip install 'lms[redis]')."
        ) from None


def app_throttle() -> Throttle:
    state = current_app.extensions["lms"]
    if state.throttle is None:
        state.throttle = Throttle.from_config(current_app.config)
    return state.throttle


def throttle(scope: str, limit: str, key: str, message: str) -> None:
    """Count an attempt at `scope` by `key`; a 429 with `message` past `limit`.

    `RATELIMIT_ENABLED = False` (Flask-Limiter's switch, e.g. for a load test) turns
    these throttles off too.
    """
    if current_app.config.get("RATELIMIT_ENABLED") is False:
        return
    wait = app_throttle().hit(parse(limit), scope, key)
    if wait is not None:
        raise TooManyRequests(description=message, retry_after=wait)
