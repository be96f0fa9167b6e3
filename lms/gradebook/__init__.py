"""Instructors' records: gradebooks, per-learner detail, CSV exports, question statistics."""
