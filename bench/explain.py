"""Query plans of the benchmarked pages on PostgreSQL: `python -m bench.explain --size M`.

Seeds a new PostgreSQL database (next to --postgres-url, dropped afterwards), requests the
lesson page, the dashboard, the grading queue and a 200-learner cohort's gradebook through
Flask's test client, records every SQL statement each runs with its parameters, and prints
`EXPLAIN (ANALYZE, BUFFERS)` of each: the plans docs/PERFORMANCE.md quotes.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from bench.databases import fresh_database
from bench.perf import DEFAULT_POSTGRES
from bench.seed import SIZES, seed
from lms import create_app

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def sign_in(client: FlaskClient, email: str, password: str) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    token = CSRF_META.search(page)
    assert token
    form = {"csrf_token": token.group(1), "email": email, "password": password}
    assert client.post("/sign-in", data=form).status_code == 302


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="M")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--all-lines", action="store_true", help="whole plans, not key lines")
    args = parser.parse_args(argv)
    name = f"lms_explain_{args.size.lower()}"
    with fresh_database("postgresql", Path(), args.postgres_url, name) as url:
        info = seed(url, SIZES[args.size])
        app = create_app(
            {
                "SECRET_KEY": "explain",
                "LMS_BASE_URL": "http://127.0.0.1",
                "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            engine: sa.Engine = app.extensions["sqlalchemy"].engine
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
        learner, instructor = app.test_client(), app.test_client()
        sign_in(learner, info.cohort_learners[0], info.password)
        sign_in(instructor, info.cohorts[0]["instructor"], info.password)
        pages = [
            ("lesson page", learner, info.lesson_paths[0]),
            ("dashboard", learner, "/dashboard"),
            ("grading queue", instructor, "/teach/grading"),
            ("gradebook", instructor, f"/teach/cohorts/{info.cohorts[0]['id']}/gradebook"),
        ]
        for title, client, path in pages:
            statements: list[tuple[str, Any]] = []

            def record(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
                statements.append((statement, parameters))  # noqa: B023 (used at once)

            client.get(path)  # warm (first-visit writes, caches)
            sa.event.listen(engine, "before_cursor_execute", record)
            try:
                assert client.get(path).status_code == 200, path
            finally:
                sa.event.remove(engine, "before_cursor_execute", record)
            print(f"\n{'=' * 100}\n{title}: GET {path} ({len(statements)} statements)")
            with engine.connect() as connection:
                for number, (statement, parameters) in enumerate(statements, 1):
                    plan = connection.exec_driver_sql(
                        "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
                    ).scalars()
                    lines = list(plan)
                    summary = " ".join(statement.split())
                    print(f"\n-- {number}. {summary[:300]}{'...' if len(summary) > 300 else ''}")
                    for text in lines:
                        key = re.search(r"Scan|Join|Loop|Sort|Aggregate|Limit|Execution Time", text)
                        if args.all_lines or key:
                            print("   " + text)
                connection.rollback()
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
