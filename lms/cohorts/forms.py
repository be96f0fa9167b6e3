"""Forms of the teaching pages: cohorts, calendar, live sessions, people, attendance.

Dates and times are typed in the cohort's time zone; the forms turn them into UTC
(`field.utc`) and report times that do not exist there. No form queries the database:
views pass in the choices and the current dates, and check uniqueness themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from lms.cohorts.calendar import LocalTimeError, from_local
from lms.cohorts.people import split_entries
from lms.models import AttendanceStatus, Module, Profile
from lms.profile.forms import ChoiceField, no_control_characters, strip, timezone_choices
from lms.validators import NumberRange

EARLIEST = date(2000, 1, 1)
LATEST = date(2199, 12, 31)
MAX_CAPACITY = 10_000
MAX_EXTRA_TIME = 300
MAX_PASTED_EMAILS = 500
INVITE_CODE = re.compile(r"^[A-Za-z0-9_-]+$")
DATE_HINT = "Enter a date like 2025-03-03."
DATETIME_HINT = "Enter a date and time like 2025-03-03 18:30."


def in_date_range(form: Any, field: Field) -> None:
    """Dates far outside any course's life are typos (and break date arithmetic)."""
    value = field.data
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date) and not EARLIEST <= value <= LATEST:
        raise ValidationError(f"Choose a date between {EARLIEST:%Y} and {LATEST:%Y}.")


class ZonedDateTimeField(DateTimeLocalField):
    """A date and time typed in the form's `timezone`; `utc` holds it in UTC once valid."""

    utc: datetime | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_value_message", DATETIME_HINT)
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(*args, **kwargs)

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        self.utc = None
        if self.errors or self.data is None:
            return
        try:
            self.utc = from_local(self.data, form.timezone)
        except LocalTimeError as error:
            self.errors.append(str(error))


class TeachingForm(FlaskForm):
    """Base of the forms that take dates in a cohort's time zone."""

    timezone = "UTC"

    def __init__(self, *args: Any, timezone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone = timezone


# Cohorts -------------------------------------------------------------------------------


class CohortForm(FlaskForm):
    """Create or edit a cohort (the course is chosen once, at creation)."""

    course = ChoiceField(
        "Course",
        validators=[DataRequired(message="Choose the course this cohort runs.")],
        invalid_message="Choose a course from the list.",
    )
    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired(message="Enter a name, for example “Spring 2025”."),
            Length(max=120, message="Use at most 120 characters."),
            no_control_characters,
        ],
    )
    starts_on = DateField(
        "Start date",
        validators=[InputRequired(message="Enter the start date."), in_date_range],
        invalid_value_message=DATE_HINT,
    )
    timezone = ChoiceField(
        "Time zone",
        validators=[DataRequired(message="Choose the cohort's time zone.")],
        invalid_message="Choose a time zone from the list.",
    )
    capacity = IntegerField(
        "Capacity",
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_CAPACITY, message=f"Enter 1 to {MAX_CAPACITY:,} places."),
        ],
        invalid_value_message="Enter a whole number of places, like 20, or leave it empty.",
    )
    is_open = BooleanField("Open for joining from the catalogue")
    invite_code = StringField(
        "Invite code",
        filters=[strip],
        validators=[
            DataRequired(message="Enter an invite code."),
            Length(min=4, max=32, message="Use 4 to 32 characters."),
            Regexp(INVITE_CODE, message="Use letters, digits, - and _ only."),
        ],
    )
    regenerate = BooleanField("Regenerate the calendar from the start date and time zone")

    def __init__(self, *args: Any, courses: Iterable[tuple[int, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.course.choices = [SelectChoice("", "Choose a course")] + [
            SelectChoice(str(course_id), title) for course_id, title in courses
        ]
        self.timezone.choices = timezone_choices()


# Calendar and one learner's dates -------------------------------------------------------


class ModuleDatesForm(TeachingForm):
    """Two date-time fields per module, `opens_<id>` and `due_<id>` (`module_dates_form`)."""

    module_ids: list[int]

    def opens(self, module_id: int) -> ZonedDateTimeField:
        return self[f"opens_{module_id}"]  # type: ignore[return-value]

    def due(self, module_id: int) -> ZonedDateTimeField:
        return self[f"due_{module_id}"]  # type: ignore[return-value]

    def dates(self) -> dict[int, tuple[datetime | None, datetime | None]]:
        """(opens, due) in UTC by module id; None where left empty."""
        return {m: (self.opens(m).utc, self.due(m).utc) for m in self.module_ids}


FormT = TypeVar("FormT", bound=ModuleDatesForm)


def module_dates_form(
    form_class: type[FormT],
    modules: Sequence[Module],
    timezone: str,
    *,
    opens_required: bool,
    whose: str = "",
    **kwargs: Any,
) -> FormT:
    class Form(form_class):  # type: ignore[valid-type,misc]
        pass

    required = InputRequired(message="Enter when it opens.") if opens_required else Optional()
    for module in modules:
        opens = ZonedDateTimeField(
            f"{module.title}: opens{whose}", validators=[required, in_date_range]
        )
        due = ZonedDateTimeField(
            f"{module.title}: due{whose}", validators=[Optional(), in_date_range]
        )
        setattr(Form, f"opens_{module.id}", opens)
        setattr(Form, f"due_{module.id}", due)
    form = Form(timezone=timezone, **kwargs)
    form.module_ids = [module.id for module in modules]
    return form  # type: ignore[no-any-return]


class CalendarForm(ModuleDatesForm):
    """One line per module: opens (required) and due (optional), in the cohort's zone."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for module_id in self.module_ids:
            opens, due = self.opens(module_id), self.due(module_id)
            if opens.utc and due.utc and due.utc <= opens.utc:
                due.errors.append("The due date must be after the module opens.")
                valid = False
        return valid


def calendar_form(modules: Sequence[Module], timezone: str, **kwargs: Any) -> CalendarForm:
    return module_dates_form(CalendarForm, modules, timezone, opens_required=True, **kwargs)


class LearnerForm(ModuleDatesForm):
    """One learner's own dates per module (empty: the cohort's) and extra quiz time."""

    extra_time_percent = IntegerField(
        "Extra time on timed quizzes (percent)",
        validators=[
            InputRequired(message="Enter a percentage (0 for none)."),
            NumberRange(min=0, max=MAX_EXTRA_TIME, message=f"Enter 0 to {MAX_EXTRA_TIME}."),
        ],
        invalid_value_message="Enter a whole number, like 50 for time and a half.",
    )

    #: The cohort's own (opens_at, due_at) per module, to check the dates that will apply.
    defaults: dict[int, tuple[datetime | None, datetime | None]]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for module_id in self.module_ids:
            opens, due = self.opens(module_id), self.due(module_id)
            if opens.errors or due.errors or not (opens.utc or due.utc):
                continue
            default_opens, default_due = self.defaults.get(module_id, (None, None))
            effective_opens, effective_due = opens.utc or default_opens, due.utc or default_due
            if effective_opens and effective_due and effective_due <= effective_opens:
                target = due if due.utc else opens
                target.errors.append(
                    "The learner's due date must be after the module opens for them."
                )
                valid = False
        return valid


def learner_form(
    modules: Sequence[Module],
    timezone: str,
    defaults: dict[int, tuple[datetime | None, datetime | None]],
    **kwargs: Any,
) -> LearnerForm:
    form = module_dates_form(
        LearnerForm, modules, timezone, opens_required=False, whose=" for this learner", **kwargs
    )
    form.defaults = defaults
    return form


# Live sessions -------------------------------------------------------------------------


class LiveSessionForm(TeachingForm):
    title = StringField(
        "Title",
        filters=[strip],
        validators=[
            DataRequired(message="Enter a title."),
            Length(max=200, message="Use at most 200 characters."),
            no_control_characters,
        ],
    )
    module = ChoiceField(
        "Module", validators=[Optional()], invalid_message="Choose a module from the list."
    )
    day = DateField(
        "Date",
        validators=[InputRequired(message="Enter the date."), in_date_range],
        invalid_value_message=DATE_HINT,
    )
    start = TimeField(
        "Start time",
        validators=[InputRequired(message="Enter the start time.")],
        invalid_value_message="Enter a time like 18:30.",
    )
    duration_minutes = IntegerField(
        "Duration (minutes)",
        validators=[
            InputRequired(message="Enter the duration in minutes."),
            NumberRange(min=1, max=600, message="Enter 1 to 600 minutes."),
        ],
        invalid_value_message="Enter a whole number of minutes, like 90.",
    )
    location = StringField(
        "Joining link or room",
        filters=[strip],
        validators=[Length(max=500, message="Use at most 500 characters."), no_control_characters],
    )
    make_up = TextAreaField(
        "Make-up activity for absent learners",
        filters=[strip],
        validators=[
            Length(max=2000, message="Use at most 2,000 characters."),
            no_control_characters,
        ],
    )

    starts_at: datetime | None = None

    def __init__(self, *args: Any, modules: Iterable[Module] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.module.choices = [SelectChoice("", "No module")] + [
            SelectChoice(str(m.id), m.title) for m in modules
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        self.starts_at = None
        if valid:
            try:
                self.starts_at = from_local(
                    datetime.combine(self.day.data, self.start.data),  # type: ignore[arg-type]
                    self.timezone,
                )
            except LocalTimeError as error:
                self.start.errors.append(str(error))
                valid = False
        return valid

    @property
    def module_id(self) -> int | None:
        return int(self.module.data) if self.module.data else None


# Instructors ---------------------------------------------------------------------------


class InstructorForm(FlaskForm):
    person = ChoiceField(
        "Instructor",
        validators=[DataRequired(message="Choose an instructor.")],
        invalid_message="Choose someone from the list (instructors and admins).",
    )

    def __init__(self, *args: Any, candidates: Iterable[Profile] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person.choices = [SelectChoice("", "Choose an instructor")] + [
            SelectChoice(str(p.id), f"{p.display_name} ({p.email})") for p in candidates
        ]


# People --------------------------------------------------------------------------------


class BulkEnrolForm(FlaskForm):
    emails = TextAreaField(
        "Emails",
        validators=[
            DataRequired(message="Paste at least one email address."),
            Length(max=60_000, message="Paste fewer addresses at a time (at most 500)."),
            no_control_characters,
        ],
    )

    def validate_emails(self, field: Field) -> None:
        if len(split_entries(field.data or "")) > MAX_PASTED_EMAILS:
            raise ValidationError(f"Paste at most {MAX_PASTED_EMAILS} addresses at a time.")


# Attendance ----------------------------------------------------------------------------

ATTENDANCE_LABELS = {
    AttendanceStatus.PRESENT: "Present",
    AttendanceStatus.LATE: "Late",
    AttendanceStatus.ABSENT: "Absent",
    AttendanceStatus.MADE_UP: "Made up",
}


class AttendanceForm(FlaskForm):
    profile_ids: list[int]

    def mark(self, profile_id: int) -> RadioField:
        return self[f"mark_{profile_id}"]  # type: ignore[return-value]

    def marks(self) -> dict[int, AttendanceStatus]:
        """The statuses chosen; learners left unmarked are not in it."""
        # Optional() lets a blank (" ") through without the choice check: that is unmarked.
        return {
            pid: AttendanceStatus(self.mark(pid).data)
            for pid in self.profile_ids
            if (self.mark(pid).data or "").strip()
        }


def attendance_form(learners: Sequence[Profile], **kwargs: Any) -> AttendanceForm:
    class Form(AttendanceForm):
        pass

    for profile in learners:
        setattr(
            Form,
            f"mark_{profile.id}",
            RadioField(
                f"Attendance of {profile.display_name}",
                choices=[SelectChoice(s.value, label) for s, label in ATTENDANCE_LABELS.items()],
                validators=[Optional()],
                invalid_choice_message="Choose present, late, absent or made up.",
            ),
        )
    form = Form(**kwargs)
    form.profile_ids = [profile.id for profile in learners]
    return form
