"""Account forms: sign up, sign in, change and reset a password."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from lms.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problem
from lms.profile.forms import (
    LicenceChecks,
    licence_number_field,
    licence_type_field,
    name_field,
    profession_field,
    strip,
    timezone_choices,
    timezone_field,
)

PASSWORD_HINT = (
    f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well; "
    "not your email or this site's name."
)


def email_field() -> EmailField:
    return EmailField(
        "Email",
        filters=[strip],
        validators=[
            DataRequired(message="Enter your email address."),
            Length(max=254, message="Use at most 254 characters."),
            Email(message="Enter an email address like name@example.com."),
        ],
    )


def new_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(message="Choose a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.",
            ),
        ],
    )


def confirm_field(label: str = "Confirm password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(message="Type the password again."),
            EqualTo("password", message="The two passwords are not the same."),
        ],
    )


class PasswordPolicy:
    """Checks the form's `password` against the policy (`lms.accounts.passwords`), for
    the person who chooses it: `chooser` is their (email, name)."""

    chooser: tuple[str, str] = ("", "")

    def validate_password(self, field: Field) -> None:
        if field.errors or not field.data:  # too short or long: said already
            return
        email, name = self.chooser
        site_name = str(current_app.config.get("LMS_SITE_NAME") or "")
        problem = password_problem(field.data, email=email, name=name, site_name=site_name)
        if problem:
            raise ValidationError(problem)


class SignInForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[
            DataRequired(message="Enter your email address."),
            Email(message="Enter an email address like name@example.com."),
            Length(max=254),
        ],
    )
    password = PasswordField(
        "Password", validators=[DataRequired(message="Enter your password."), Length(max=200)]
    )
    submit = SubmitField("Sign in")


class SignUpForm(PasswordPolicy, LicenceChecks, FlaskForm):
    name = name_field()
    email = email_field()
    password = new_password_field()
    confirm = confirm_field()
    profession = profession_field()
    licence_type = licence_type_field()
    licence_number = licence_number_field()
    #: Filled from the browser's zone by a script (signup.js), editable; without scripts
    #: it stays at the instance's default (LMS_DEFAULT_TIMEZONE).
    timezone = timezone_field()
    submit = SubmitField("Create account")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()

    @property
    def chooser(self) -> tuple[str, str]:  # type: ignore[override]
        return (self.email.data or "", self.name.data or "")


class ChangePasswordForm(PasswordPolicy, FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(message="Enter your current password."), Length(max=200)],
    )
    password = new_password_field("New password")
    confirm = confirm_field("Confirm new password")
    submit = SubmitField("Change password")


class ForgotPasswordForm(FlaskForm):
    email = email_field()
    submit = SubmitField("Send me a link")


class ResetPasswordForm(PasswordPolicy, FlaskForm):
    password = new_password_field("New password")
    confirm = confirm_field("Confirm new password")
    submit = SubmitField("Set new password")
