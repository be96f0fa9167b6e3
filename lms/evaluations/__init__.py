"""Course evaluations: learners answer them (not graded, answers kept apart from who gave
them); instructors and admins read totals and comments without names."""
