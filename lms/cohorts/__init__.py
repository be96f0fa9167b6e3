"""Cohorts: scheduled runs of a course, their calendar, live sessions and instructors."""
