"""Benchmark tools: seed realistic data (`bench.seed`), measure pages (`bench.perf`).

Not part of the `lms` package and never run by the tests (the query-budget tests only
borrow `bench.seed` to build their data). The seeding itself is `lms.seeding`, which the
package ships because `lms demo` uses it too.
"""
