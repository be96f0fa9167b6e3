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
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests


@dataclass
class Throttle:
    """The counters of one app (kept in its `LMSState`)."""

    limiter: MovingWindowRateLimiter

    @classmethod
    def from_uri(cls, uri: str) -> Throttle:
        return cls(MovingWindowRateLimiter(storage_from_string(uri)))

    def hit(self, limit: RateLimitItem, scope: str, key: str) -> int | None:
        """Count one hit; None if within the limit, else the seconds until one is free."""
        if self.limiter.hit(limit, "lms", scope, key):
            return None
        reset = self.limiter.get_window_stats(limit, "lms", scope, key).reset_time
        return max(1, math.ceil(reset - time.time()))


def app_throttle() -> Throttle:
    state = current_app.extensions["lms"]
    if state.throttle is None:
        state.throttle = Throttle.from_uri(current_app.config["LMS_RATELIMIT_STORAGE_URI"])
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
