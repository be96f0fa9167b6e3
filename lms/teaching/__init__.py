"""Teaching pages of a course offered self-paced: its staff page (learners, gradebook,
statistics, grading, evaluation results) and its list of learners."""
