"""The admin's platform registration form (the same checks as `lms lti register`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from lms.profile.forms import no_control_characters, strip


def web_address(form: FlaskForm, field: StringField) -> None:
    parts = urlsplit(field.data or "")
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValidationError("Enter an address starting with https://.")


def url_field(label: str, required: bool = True) -> StringField:
    checks = [DataRequired(message=f"Enter the {label.lower()}.")] if required else [Optional()]
    return StringField(
        label,
        filters=[strip],
        validators=[*checks, Length(max=1000), no_control_characters, web_address],
    )


class PlatformForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired("Enter a name for the platform."),
            Length(max=120),
            no_control_characters,
        ],
    )
    issuer = url_field("Issuer (platform ID)")
    client_id = StringField(
        "Client ID",
        filters=[strip],
        validators=[DataRequired("Enter the client ID."), Length(max=255), no_control_characters],
    )
    auth_login_url = url_field("Authentication request URL")
    auth_token_url = url_field("Access token URL")
    keyset_url = url_field("Public keyset URL")
    deployment_ids = TextAreaField(
        "Deployment IDs",
        validators=[DataRequired("Enter at least one deployment ID."), Length(max=5000)],
    )
    auth_audience = url_field("Token audience (only if the platform asks for one)", required=False)

    def deployment_list(self) -> list[str]:
        text = (self.deployment_ids.data or "").replace(",", "\n")
        return [line.strip() for line in text.splitlines() if line.strip()]
