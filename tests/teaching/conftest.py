"""The teaching pages' tests use the cohort tests' fixtures (courses, people)."""

from tests.cohorts.conftest import courses, people

__all__ = ["courses", "people"]
