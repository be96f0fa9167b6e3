"""Realistic learner data written straight into the database: for `lms demo` (a small
living demo, `lms.seeding.demo`) and for the benchmark (`python -m bench.seed`, sizes of
100 to 10,000 learners, `lms.seeding.populate`).

Rows are written in bulk with SQLAlchemy Core (`writer.Writer`: ids allocated here, a few
thousand rows an insert); the content comes from the synced courses (`facts`); the people
and what they did come from `seeder.Seeder`, with a fixed random seed so that the data is
the same on every run (dates are relative to the moment it runs).
"""
