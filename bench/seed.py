"""Seed realistic benchmark data into a database: `python -m bench.seed --size M --db URL`.

Sizes S, M and L are 100, 1,000 and 10,000 learners. What a size holds:

- both bundled courses, synced as `lms courses sync` does (`lms.migrate.upgrade()` first);
- an admin; an instructor per cohort (assigned to it); an instructor of the self-paced
  course's learners (`lms_course_instructor`);
- the learners (`Account` + `Profile`; one shared password hash, see `PASSWORD`), each in
  one cohort of the cohort course: cohorts of 200 (S: one cohort of 100, M: five of 200,
  L: fifty of 200), started 1 to 6 weeks ago, so that different weeks are open; each
  cohort has its calendar and a live session per week, with attendance taken for the
  sessions held;
- self-paced enrolments in the self-paced course for 7 learners in 10 (learner numbers
  ending in 0-6), at every stage from just enrolled to complete with a certificate;
- reading progress, and quiz attempts with an answer per question: knowledge checks graded
  (one to three attempts), reflections (essays) awaiting grading, some with draft grades
  and, in earlier weeks, most with released grades (and the notifications they sent);
  some attempts still open;
- optionally a "pool" of extra self-paced learners (`--pool N`, not counted in the size)
  for `bench.perf`: every lesson complete, every quiz submitted once, and an open attempt
  with saved answers at each of the 7 untimed knowledge checks, so that autosaves and
  submits can be measured on fresh attempts.

The data is deterministic (a fixed random seed); dates are relative to the day it runs.
Rows are written in bulk with SQLAlchemy Core (`insert()` with lists of rows and ids
allocated here), a few thousand at a time, so L seeds in about a minute or two. The
seeding itself lives in the package (`lms.seeding`), which `lms demo` shares.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lms import create_app, migrate
from lms.config import normalise_database_url
from lms.database import session
from lms.seeding.populate import COHORT_SIZE, PASSWORD, RANDOM_SEED, SeedInfo, populate

__all__ = ["PASSWORD", "SIZES", "SeedInfo", "main", "populate", "seed"]

SIZES = {"S": 100, "M": 1_000, "L": 10_000}


def seed(
    database_url: str,
    learners: int,
    *,
    pool: int = 0,
    cohort_size: int = COHORT_SIZE,
    random_seed: int = RANDOM_SEED,
    secret_key: str = "bench-seed",  # noqa: S107 (signs nothing that outlives the seeding)
) -> SeedInfo:
    """Migrate `database_url` (an empty database, or one this script seeded) and seed it.

    `secret_key`: the serving app's, for the pool's autosave bodies (an attempt's page names
    its questions and choices with a key derived from it: `lms.quizzes.tokens`)."""
    app = create_app(
        {
            "SECRET_KEY": secret_key,
            "LMS_BASE_URL": "http://127.0.0.1",
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        }
    )
    with app.app_context():
        started = time.perf_counter()
        migrate.upgrade()
        info = populate(learners, pool=pool, cohort_size=cohort_size, random_seed=random_seed)
        session.remove()
        engine = app.extensions["sqlalchemy"].engine
        if engine.dialect.name == "postgresql":
            # As autovacuum would have by the time a real database holds this much: fresh
            # planner statistics and visibility maps, and no vacuum running mid-benchmark.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        info.seconds = round(time.perf_counter() - started, 1)
        engine.dispose()
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.seed", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--learners", type=int, help="any number of learners (overrides --size)")
    parser.add_argument(
        "--db",
        required=True,
        help="database URL: sqlite:////abs/path.sqlite3 or postgresql://user@host/db "
        "(empty, or seeded before by this script with the same size: rows are added)",
    )
    parser.add_argument("--pool", type=int, default=0, help="extra learners with open attempts")
    parser.add_argument("--info", type=Path, help="write what was seeded (JSON) to this file")
    args = parser.parse_args(argv)
    learners = args.learners or SIZES[args.size]
    info = seed(args.db, learners, pool=args.pool)
    if args.info:
        args.info.write_text(info.to_json())
    total = sum(info.counts.values())
    print(f"Seeded {learners:,} learners ({total:,} rows) in {info.seconds} s", file=sys.stderr)
    for table, rows in info.counts.items():
        print(f"  {table:<24} {rows:>9,}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
