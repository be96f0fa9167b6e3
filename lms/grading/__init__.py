"""Grading: the instructors' queue of essay answers, the grading screen, release,
regrades and "revise and resubmit".

The parts, as in every area: `scope` (whose answers an instructor may grade, as SQL
filters), `queue` (what waits, in a fixed number of queries), `service` (the state
changes: save, release, regrade, return, resubmit; they flush, the view commits),
`forms` (reading and checking posted scores) and `views` (the blueprint "grading").
Learners hear about released feedback through `lms.notifications`.
"""
