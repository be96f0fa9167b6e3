"""The app `bench.perf` serves: `lms.create_app()` plus a bare "hello" route, the baseline.

    LMS_SECRET_KEY=... LMS_DATABASE_URL=... gunicorn -w 2 'bench.wsgi:app'

The baseline lives on the same app, in the same gunicorn workers, so the ratio of a page's
requests per second to the baseline's measures the page's own cost (routing, sign-in,
queries, templates), not the machine's or the server's.

Sign-in throttling is switched off in this app only: the benchmark signs in hundreds of
seeded learners from 127.0.0.1 before it measures (sign-in itself is not measured).
"""

from __future__ import annotations

from lms import create_app

app = create_app({"RATELIMIT_ENABLED": False})


@app.get("/bench/hello")
def hello() -> str:
    return "hello"
