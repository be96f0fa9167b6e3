"""The standalone app's settings from outside the code: the environment and a TOML file.

    settings = read_settings(os.environ)  # {"LMS_SMTP_PORT": 2525, ...}

Every setting in `lms.config.DEFAULTS` can be given as an environment variable of the
same name, or as a top-level key of the TOML file named by LMS_CONFIG_FILE:

    LMS_SMTP_PORT=2525 LMS_SMTP_STARTTLS=false LMS_TRUSTED_HOSTS=a.example,b.example

    # lms.toml
    LMS_SMTP_PORT = 2525
    LMS_TRUSTED_HOSTS = ["a.example", "b.example"]

Values are typed after the setting's default (`lms.config.setting_type`): numbers,
booleans (true/false, 1/0, yes/no, on/off), lists (comma-separated, or a JSON array) and
dicts (a JSON object); in the file, TOML's own types. An empty variable counts as unset.

Precedence, later wins: the defaults, the file, the environment, then the config given
to `create_app` in code. The environment beats the file so that one host or one run can
change one setting of a shared file; code beats both because it is the most specific (a
test, or a wrapper that means exactly what it says).

A name that is no setting, or a value of the wrong type, is a `ConfigError` at start-up
naming every problem; a secret's value (a name with SECRET, PASSWORD, TOKEN, KEY, ...,
or a password inside a URL) is never repeated in it.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping
from typing import Any

from lms.config import DEFAULTS, ConfigError, setting_type, unknown_names

#: Names of `LMS_*` variables that are not settings: the file's name, and the test suite's
#: own switches (anything starting LMS_TEST_ is reserved for them too).
NOT_SETTINGS = frozenset({"LMS_CONFIG_FILE", "LMS_REQUIRE_BROWSER", "LMS_SCREENSHOT_ALL"})
TEST_PREFIX = "LMS_TEST_"

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})

EXPECTED: dict[type, str] = {
    bool: "true or false (or 1/0, yes/no, on/off)",
    int: "a whole number",
    float: "a number",
    str: "text",
    list: "a list (comma-separated, or a JSON array)",
    dict: "a JSON object",
}
#: The same, in TOML's words.
EXPECTED_IN_TOML: dict[type, str] = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: 'a string ("...")',
    list: "an array ([...])",
    dict: "a table ({...})",
}

#: A setting is a secret when its name ends with one of these words (LMS_SECRET_KEY,
#: LMS_SMTP_PASSWORD, LMS_XAPI_TOKEN), or has SECRET or PRIVATE anywhere in it.
SECRET_ENDINGS = frozenset({"SECRET", "PASSWORD", "PASSWD", "TOKEN", "KEY", "AUTH"})
SECRET_ENDINGS |= {"CREDENTIALS", "APIKEY"}
SECRET_ANYWHERE = frozenset({"SECRET", "PRIVATE"})
URL_PASSWORD = re.compile(r"(//[^/@:]*:)[^/@]*@")


def is_secret(name: str) -> bool:
    """A setting whose value must never be shown (its name says it holds a secret)."""
    words = name.upper().split("_")
    return words[-1] in SECRET_ENDINGS or not SECRET_ANYWHERE.isdisjoint(words)


def shown(name: str, value: Any) -> str:
    """A value as an error message may show it: secrets hidden, passwords in URLs masked."""
    if is_secret(name):
        return "(value hidden: a secret)"
    return URL_PASSWORD.sub(r"\1***@", repr(value))


def raise_problems(problems: list[str]) -> None:
    """One ConfigError for every problem found (one line each)."""
    if len(problems) == 1:
        raise ConfigError(problems[0])
    if problems:
        lines = "\n".join(f"- {line}" for line in problems)
        raise ConfigError(f"Settings cannot be used:\n{lines}")


def from_text(kind: type, text: str) -> Any:
    """A setting's value from an environment variable's text; ValueError if it is not one."""
    if kind is bool:
        word = text.strip().lower()
        if word in TRUE or word in FALSE:
            return word in TRUE
        raise ValueError(word)
    if kind is int:
        if not re.fullmatch(r"\s*[+-]?\d+\s*", text):
            raise ValueError(text)
        return int(text)
    if kind is float:
        number = float(text)
        if not math.isfinite(number):
            raise ValueError(text)
        return number
    if kind is list:
        if text.lstrip().startswith("["):
            value = json.loads(text)
            if not isinstance(value, list):
                raise ValueError(text)
            return value
        return [item.strip() for item in text.split(",") if item.strip()]
    if kind is dict:
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError(text)
        return value
    return text


def from_toml(kind: type, value: Any) -> Any:
    """A setting's value from the TOML file's; ValueError if it is of another type."""
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, bool):
        raise ValueError(value)
    if not isinstance(value, kind):
        raise ValueError(value)
    return value


def wrong_type(name: str, where: str, expected: str, value: Any) -> str:
    return f"{name} {where} must be {expected}, not {shown(name, value)}."


def read_environment(environ: Mapping[str, str], problems: list[str]) -> dict[str, Any]:
    """The settings given as `LMS_*` environment variables (empty ones count as unset)."""
    names = [
        name
        for name in environ
        if name.startswith("LMS_") and name not in NOT_SETTINGS and not name.startswith(TEST_PREFIX)
    ]
    for name in unknown_names(names):
        problems.append(f"Unknown setting in the environment: {name}.")
    settings: dict[str, Any] = {}
    for name in names:
        text = environ[name]
        if name not in DEFAULTS or not text.strip():
            continue
        kind = setting_type(name)
        try:
            settings[name] = from_text(kind, text)
        except ValueError:
            problems.append(wrong_type(name, "in the environment", EXPECTED[kind], text))
    return settings


def read_file(path: str, problems: list[str]) -> dict[str, Any]:
    """The settings in the TOML file at `path`."""
    where = f"in {path}"
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        problems.append(f"LMS_CONFIG_FILE names {path!r}, which cannot be read: {error.strerror}.")
        return {}
    except tomllib.TOMLDecodeError as error:
        problems.append(f"LMS_CONFIG_FILE {path!r} is not valid TOML: {error}.")
        return {}
    for name in sorted(name for name in data if name not in DEFAULTS):
        if name.startswith("LMS_"):
            problems.append(f"Unknown setting {where}: {unknown_names([name])[0]}.")
        else:
            problems.append(
                f"Unknown setting {where}: {name}{did_you_mean_prefixed(name)}. "
                "Settings are top-level keys named like the environment variables (LMS_...)."
            )
    settings: dict[str, Any] = {}
    for name, value in data.items():
        if name not in DEFAULTS:
            continue
        kind = setting_type(name)
        try:
            settings[name] = from_toml(kind, value)
        except ValueError:
            problems.append(wrong_type(name, where, EXPECTED_IN_TOML[kind], value))
    return settings


def did_you_mean_prefixed(name: str) -> str:
    """A suggestion for a key written without its prefix (`site_name` -> LMS_SITE_NAME)."""
    candidate = "LMS_" + name.upper()
    if candidate in DEFAULTS:
        return f" (did you mean {candidate}?)"
    return ""


def read_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings from LMS_CONFIG_FILE (if named) and the environment, the environment
    winning; ConfigError naming every unknown name and badly typed value."""
    problems: list[str] = []
    settings: dict[str, Any] = {}
    path = environ.get("LMS_CONFIG_FILE", "").strip()
    if path:
        settings |= read_file(path, problems)
    settings |= read_environment(environ, problems)
    raise_problems(problems)
    return settings
