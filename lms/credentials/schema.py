"""Validation against 1EdTech's OB 3.0 AchievementCredential JSON Schema (shipped)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator

SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"


class SchemaError(ValueError):
    """A credential that the OB 3.0 JSON schema rejects; `errors` lists every reason."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("not a valid OB 3.0 credential: " + "; ".join(errors))


@cache
def _validator() -> Draft201909Validator:
    folder = resources.files("lms.credentials").joinpath("schemas")
    schema = json.loads(folder.joinpath(SCHEMA_FILE).read_text("utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def schema_errors(credential: dict[str, Any]) -> list[str]:
    """Every reason the schema rejects the credential (none: it is valid)."""
    errors = sorted(_validator().iter_errors(credential), key=lambda error: list(error.path))
    return [f"{'/'.join(map(str, error.path)) or '(top)'}: {error.message}" for error in errors]


def validate_schema(credential: dict[str, Any]) -> None:
    """Raise SchemaError unless the credential is valid against the OB 3.0 schema."""
    errors = schema_errors(credential)
    if errors:
        raise SchemaError(errors)
