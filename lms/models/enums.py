"""The fixed vocabularies of the domain."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


class Profession(enum.StrEnum):
    THERAPIST = "therapist"
    NURSE = "nurse"
    PHYSICIAN = "physician"
    GUIDE = "guide"
    COACH = "coach"
    OTHER = "other"


class Track(enum.StrEnum):
    """How a course is usually offered; any course can still be run either way."""

    SELF_PACED = "self-paced"
    COHORT = "cohort"


class LessonKind(enum.StrEnum):
    LESSON = "lesson"
    LIVE_SESSION = "live-session"


class QuestionType(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    SHORT_ANSWER = "short_answer"
    NUMERIC = "numeric"
    ESSAY = "essay"


class ScoreRule(enum.StrEnum):
    BEST = "best"
    LAST = "last"


class EnrolmentStatus(enum.StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    AWAITING_GRADING = "awaiting_grading"
    GRADED = "graded"


class GradeStatus(enum.StrEnum):
    DRAFT = "draft"
    RELEASED = "released"


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    #: Absent, then did the make-up activity the instructor set: counts as attended.
    MADE_UP = "made_up"
