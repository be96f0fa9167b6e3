"""Profile forms, and the profession and licence fields sign-up shares with them."""

from __future__ import annotations

import calendar
import re
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import (
    Field,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from lms.models import Profession
from lms.validators import NumberRange

PROFESSION_LABELS = {
    Profession.THERAPIST: "Therapist",
    Profession.NURSE: "Nurse",
    Profession.PHYSICIAN: "Physician",
    Profession.GUIDE: "Guide",
    Profession.COACH: "Coach",
    Profession.OTHER: "Other",
}
LICENCE_HINT = "Optional. Printed on your CE certificates, for example LMFT 12345 or RN 98765."


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def no_control_characters(form: Any, field: Field) -> None:
    """Names and licences are one line of plain text (PostgreSQL cannot even store NUL)."""
    if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError("Remove the control characters from this text.")


class ChoiceField(SelectField):
    """A <select> whose wrong value gets a message a person understands."""

    def __init__(self, *args: Any, invalid_message: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def pre_validate(self, form: Any) -> None:
        # An empty value is left to the field's DataRequired (one message, not two).
        if self.data and self.data not in {choice.value for choice in self.choices or []}:
            raise StopValidation(self.invalid_message)


def profession_field() -> ChoiceField:
    return ChoiceField(
        "Profession",
        choices=[SelectChoice("", "Choose your profession")]
        + [SelectChoice(p.value, label) for p, label in PROFESSION_LABELS.items()],
        validators=[DataRequired(message="Choose your profession.")],
        invalid_message="Choose your profession from the list.",
    )


def licence_type_field() -> StringField:
    return StringField(
        "Licence type",
        filters=[strip],
        validators=[Length(max=80, message="Use at most 80 characters."), no_control_characters],
    )


def licence_number_field() -> StringField:
    return StringField(
        "Licence number",
        filters=[strip],
        validators=[Length(max=80, message="Use at most 80 characters."), no_control_characters],
    )


def name_field() -> StringField:
    return StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired(message="Enter your name."),
            Length(max=120, message="Use at most 120 characters."),
            no_control_characters,
        ],
    )


class LicenceChecks:
    """Licence type and number go together: both or neither."""

    licence_type: Field
    licence_number: Field

    def validate_licence_type(self, field: Field) -> None:
        if self.licence_number.data and not field.data:
            raise ValidationError("Add the licence type too, or leave both empty.")

    def validate_licence_number(self, field: Field) -> None:
        if self.licence_type.data and not field.data:
            raise ValidationError("Add the licence number too, or leave both empty.")


@cache
def timezone_choices() -> list[SelectChoice]:
    return [SelectChoice(name, name.replace("_", " ")) for name in sorted(available_timezones())]


def timezone_field() -> ChoiceField:
    """A person's time zone (the form sets its choices: `timezone_choices()`)."""
    return ChoiceField(
        "Time zone",
        validators=[DataRequired(message="Choose your time zone.")],
        invalid_message="Choose your time zone from the list.",
    )


MONTHS = [
    SelectChoice("", "Not given"),
    *(SelectChoice(str(n), calendar.month_name[n]) for n in range(1, 13)),
]
REPORTING_HINT = (
    "Optional. Some accreditors ask providers to report physicians' credit with a board ID "
    "and birth month and day (ACCME's PARS, for example). Give them only if your credit "
    "is reported that way; they appear in the provider's reports, nowhere else."
)


class ReportingChecks:
    """Birth month and day go together, and make a real date (29 February is allowed)."""

    birth_month: Field
    birth_day: Field

    def validate_birth_month(self, field: Field) -> None:
        # The day's own validators stop at a blank day, so the pair is checked here.
        if bool(field.data) != (self.birth_day.data is not None) and not self.birth_day.errors:
            raise ValidationError("Give both the birth month and day, or neither.")

    def validate_birth_day(self, field: Field) -> None:
        month_text = self.birth_month.data or ""
        if self.birth_month.errors or not month_text.isdigit() or not 1 <= int(month_text) <= 12:
            return  # the month's own message says what is wrong
        month = int(month_text)
        if field.data > calendar.monthrange(2024, month)[1]:
            raise ValidationError(f"{calendar.month_name[month]} has no day {field.data}.")


class ProfileForm(LicenceChecks, ReportingChecks, FlaskForm):
    display_name = name_field()
    profession = profession_field()
    licence_type = licence_type_field()
    licence_number = licence_number_field()
    board_id = StringField(
        "Board ID",
        filters=[strip],
        validators=[Length(max=40, message="Use at most 40 characters."), no_control_characters],
    )
    birth_month = SelectField("Birth month", choices=MONTHS, default="")
    birth_day = IntegerField(
        "Birth day",
        validators=[Optional(), NumberRange(min=1, max=31, message="Enter a day from 1 to 31.")],
        invalid_value_message="Enter the day as a number, like 14.",
    )
    timezone = timezone_field()
    submit = SubmitField("Save profile")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class CompleteProfileForm(LicenceChecks, FlaskForm):
    profession = profession_field()
    licence_type = licence_type_field()
    licence_number = licence_number_field()
    submit = SubmitField("Continue")
