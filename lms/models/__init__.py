"""The LMS's data model, one module per area of the domain."""

from lms.models.accounts import Account, PendingSignUp, Profile
from lms.models.assessment import Answer, AnswerRevision, Attempt, Grade, GradeChange
from lms.models.content import (
    Choice,
    Course,
    Lesson,
    Module,
    Question,
    QuestionVersion,
    Quiz,
    RubricCriterion,
)
from lms.models.enums import (
    AttemptStatus,
    AttendanceStatus,
    EnrolmentStatus,
    GradeStatus,
    LessonKind,
    Profession,
    QuestionType,
    Role,
    ScoreRule,
    Track,
)
from lms.models.offerings import (
    Attendance,
    Cohort,
    CohortModule,
    Enrolment,
    EnrolmentOverride,
    LiveSession,
    cohort_instructor,
    course_instructor,
)
from lms.models.progress import LessonProgress
from lms.models.records import Certificate, Notification, OutboxMessage

__all__ = [
    "Account",
    "Answer",
    "AnswerRevision",
    "Attempt",
    "AttemptStatus",
    "Attendance",
    "AttendanceStatus",
    "Certificate",
    "Choice",
    "Cohort",
    "CohortModule",
    "Course",
    "Enrolment",
    "EnrolmentOverride",
    "EnrolmentStatus",
    "Grade",
    "GradeChange",
    "GradeStatus",
    "Lesson",
    "LessonKind",
    "LessonProgress",
    "LiveSession",
    "Module",
    "Notification",
    "OutboxMessage",
    "PendingSignUp",
    "Profession",
    "Profile",
    "Question",
    "QuestionType",
    "QuestionVersion",
    "Quiz",
    "Role",
    "RubricCriterion",
    "ScoreRule",
    "Track",
    "cohort_instructor",
    "course_instructor",
]
