"""Quizzes: question types, attempts, grading, review and the learner's quiz pages.

The rules live in plain functions (`types`, `attempts`, `grading`, `review`); `views` only
checks access, calls a rule and renders. Other areas hear about attempts through the
signals below rather than importing the quiz views.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent once per attempt when it is handed in (by the learner or because time ran out),
#: with `attempt=` and `timed_out=`. Sent after the scores are flushed, inside the
#: request's transaction and before its commit.
attempt_submitted = _signals.signal("lms.attempt-submitted")

#: Sent when an attempt's score and pass/fail become final (status GRADED): at submit for
#: auto-graded quizzes, from `finalise_attempt` once every essay has a released grade.
#: Receivers get `attempt=`. Also inside the caller's transaction.
attempt_graded = _signals.signal("lms.attempt-graded")

#: Sent every time an attempt's final score is set or recomputed: at an auto-graded submit,
#: when its essays' grades are released, and after each regrade (`attempt_graded` is sent
#: only the first time). Receivers get `attempt=`; inside the caller's transaction. The
#: LTI outbox (`lms.lti.outbox`) queues the score for the platforms here.
attempt_scored = _signals.signal("lms.attempt-scored")
