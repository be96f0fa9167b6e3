"""Sending statements to the LRS: the `xapi` job.

Each statement is PUT at its own id (`statements?statementId=...`): an LRS stores a
statement id once and answers a repeat with the same content by 204, so a job retried
after a worker died mid-send duplicates nothing. A 5xx, a timeout or an unreachable LRS
is retried with backoff; any other answer (a 4xx: the statement or the credentials are
wrong) makes the job dead at once, with the LRS's answer as its error.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from flask import current_app

from lms.jobs import PermanentError, TransientError, handler

logger = logging.getLogger("lms.xapi")

XAPI_VERSION = "1.0.3"
MAX_ANSWER = 1000


def _statement(payload: Any) -> dict[str, Any]:
    statement = payload.get("statement") if isinstance(payload, dict) else None
    if not isinstance(statement, dict) or not isinstance(statement.get("id"), str):
        raise PermanentError(
            f"An xapi job needs {{'statement': {{'id': ...}}}}, not {payload!r:.200}."
        )
    return statement


@handler("xapi")
def send_statement(payload: Any, key: str) -> None:
    statement = _statement(payload)
    config = current_app.config
    endpoint = config.get("LMS_XAPI_ENDPOINT")
    if not endpoint:
        raise PermanentError("No LRS is configured (LMS_XAPI_ENDPOINT).")
    url = (
        endpoint.rstrip("/")
        + "/statements?"
        + urllib.parse.urlencode({"statementId": statement["id"]})
    )
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION}
    if config.get("LMS_XAPI_USERNAME"):
        pair = f"{config['LMS_XAPI_USERNAME']}:{config.get('LMS_XAPI_PASSWORD') or ''}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    request = urllib.request.Request(  # noqa: S310 (the deployer's https/http LRS)
        url, data=json.dumps(statement).encode(), headers=headers, method="PUT"
    )
    try:
        timeout = float(config["LMS_XAPI_TIMEOUT"])
        # The scheme is checked above: http(s) only, never file: or a custom one.
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310  # nosec B310 - http(s) only, checked above
            answer.read()
    except urllib.error.HTTPError as error:
        body = error.read()[:MAX_ANSWER].decode("utf-8", "replace")
        message = f"The LRS answered {error.code} {error.reason}: {body}"
        if error.code >= 500 or error.code == 429:
            raise TransientError(message) from None
        raise PermanentError(message) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise TransientError(f"The LRS could not be reached: {reason}") from None
    logger.info("Statement %s sent to the LRS.", statement["id"])
