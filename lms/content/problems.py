"""``Problem`` and the translation of pydantic errors into plain-English problems with lines.

``Problem`` is re-exported by :mod:`lms.content.loader`, which is where callers import it from.
"""

from __future__ import annotations

import difflib
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from lms.content.schema import QUESTION_TYPES, SLUG_HINT, SLUG_RE
from lms.content.yamlsource import DataPath, LineMap


@dataclass(frozen=True)
class Problem:
    path: Path  # the file at fault
    line: int | None  # 1-based, where the parser knows it
    message: str  # what is wrong
    hint: str  # how to fix it

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}: {self.message}{hint}"


FIELD_HINTS: dict[str, str] = {
    "slug": SLUG_HINT,
    "title": 'a short title, e.g. title: "Set and setting"',
    "track": "self-paced or cohort",
    "audience": "one line naming who the course is for",
    "summary": "one paragraph for the course catalogue",
    "estimated_hours": "expected study time in hours, e.g. 1.5",
    "ce_hours": "continuing-education contact hours, 0 if none",
    "disclaimer": "the text shown on every lesson of the course",
    "sources": "a list of article sections, one per line starting with '- '",
    "modules": "a list of module folder names, in order, one per line starting with '- '",
    "items": "a list of lesson (.md) and quiz (.quiz.yml) file names, in order",
    "week": "the module's week in a cohort course: 1, 2, ...",
    "release_after_days": "the number of days after enrolment the module opens, 0 or more",
    "minutes": "estimated reading time in whole minutes, from 1 to 60",
    "kind": "lesson or live-session",
    "objectives": "a list of learning objectives, one per line starting with '- '",
    "pass_mark": "a whole percentage from 0 to 100, e.g. pass_mark: 75",
    "attempts": "a whole number of 1 or more; leave it out for unlimited attempts",
    "time_limit_minutes": "whole minutes, 1 or more; leave it out for no time limit",
    "shuffle": "true or false",
    "score_rule": "best or last",
    "questions": "a list of questions, each starting with '- slug: ...'",
    "type": "one of: " + ", ".join(QUESTION_TYPES),
    "prompt": "the question text",
    "points": "a whole number of 1 or more (leave it out for 1 point)",
    "feedback": "the explanation learners see after answering",
    "source": "one of the 'sources' listed in course.yml",
    "choices": "a list of '- text: ...' entries, with 'correct: true' on the right ones",
    "correct": "true or false",
    "answer": "true or false for a true_false question, a number for a numeric one",
    "accepted": "a list of accepted answers, one per line starting with '- '",
    "tolerance": "how far from the answer still counts as right, 0 or more",
    "rubric": "a list of '- criterion: ...' entries, each with points",
    "criterion": "the name of the rubric criterion",
    "min_words": "a whole number of words, 0 or more",
    "max_words": "a whole number of words, 1 or more",
}

_PREDICATES: dict[str, str] = {
    "string_type": "should be text, not {input}",
    "int_type": "should be a whole number, not {input}",
    "float_type": "should be a number, not {input}",
    "bool_type": "should be true or false, not {input}",
    "list_type": "should be a list (one entry per line starting with '- '), not {input}",
    "model_type": "should be a set of 'key: value' lines, not {input}",
    "model_attributes_type": "should be a set of 'key: value' lines, not {input}",
    "dict_type": "should be a set of 'key: value' lines, not {input}",
    "literal_error": "cannot be {input}",
    "greater_than_equal": "must be at least {ge}, not {input}",
    "greater_than": "must be more than {gt}, not {input}",
    "less_than_equal": "must be at most {le}, not {input}",
    "less_than": "must be less than {lt}, not {input}",
    "too_short": "needs at least {min_length} {entries}",
    "too_long": "can have at most {max_length} entries",
    "blank": "is empty",
    "completion_quizzes": "must be all, none or a list of quiz slugs",
}


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 40 else f"'{value[:37]}...'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of 'key: value' lines"
    return str(value)


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional; return a tuple of members for a real union."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = tuple(a for a in get_args(annotation) if a is not type(None))
            if len(members) != 1:
                return members
            annotation = members[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _tag(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("type")
    return field.default if field is not None and isinstance(field.default, str) else None


def resolve(model: type[BaseModel], loc: tuple[int | str, ...]) -> tuple[DataPath, Any]:
    """Turn a pydantic error location into a path into the data (dropping discriminator
    tags), and return the model class or annotation found at the end of it."""
    annotation: Any = model
    path: list[Any] = []
    for part in loc:
        current = _unwrap(annotation)
        if isinstance(current, tuple):
            tagged = {_tag(m): m for m in current if _is_model(m)}
            if isinstance(part, str) and part in tagged:
                annotation = tagged[part]
                continue
            annotation = None
        elif isinstance(part, int) and get_origin(current) is list:
            annotation = get_args(current)[0]
        elif isinstance(part, str) and _is_model(current):
            field = current.model_fields.get(part)
            annotation = field.annotation if field is not None else None
        else:
            annotation = None
        path.append(part)
    return tuple(path), _unwrap(annotation)


def _question_name(data: Any, index: int) -> str:
    questions = data.get("questions") if isinstance(data, dict) else None
    question = questions[index] if isinstance(questions, list) else None
    slug = question.get("slug") if isinstance(question, dict) else None
    if isinstance(slug, str) and SLUG_RE.fullmatch(slug):
        return f"question '{slug}'"
    return f"question {index + 1}"


def describe(container: DataPath, data: Any, what: str) -> str:
    """Name the mapping at ``container`` the way an author would: "question 'x'", ..."""
    if not container:
        return what
    if container[0] == "questions" and len(container) >= 2 and isinstance(container[1], int):
        name = _question_name(data, container[1])
        rest = container[2:]
        if not rest:
            return name
        if len(rest) == 2 and isinstance(rest[1], int) and rest[0] in ("choices", "rubric"):
            label = "choice" if rest[0] == "choices" else "rubric criterion"
            return f"{label} {rest[1] + 1} of {name}"
        return f"'{_dotted(rest)}' of {name}"
    return f"'{_dotted(container)}'"


def _dotted(path: DataPath) -> str:
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else ("." if text else "") + str(part)
    return text


def _subject(path: DataPath, data: Any, what: str) -> str:
    """The thing a value error is about: "'pass_mark'", "entry 2 of 'objectives' of ..."."""
    if not path:
        return what
    if isinstance(path[-1], int):
        if len(path) == 2 and path[0] == "questions":
            return _question_name(data, path[-1])
        owner = path[-2] if len(path) >= 2 else "list"
        container = path[:-2]
        label = f"entry {path[-1] + 1} of '{owner}'"
    else:
        container = path[:-1]
        label = f"'{path[-1]}'"
    return label if not container else f"{label} of {describe(container, data, what)}"


def _allowed(annotation: Any) -> list[str]:
    return list(annotation.model_fields) if _is_model(annotation) else []


def _field_hint(path: DataPath, fallback: str = "") -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return FIELD_HINTS.get(part, fallback)
    return fallback


def validation_problems(
    path: Path,
    exc: ValidationError,
    model: type[BaseModel],
    data: Any,
    lines: LineMap,
    what: str,
) -> list[Problem]:
    """One Problem per pydantic error, located with ``lines``."""
    return [_problem(path, error, model, data, lines, what) for error in exc.errors()]


def _problem(
    path: Path,
    error: ErrorDetails,
    model: type[BaseModel],
    data: Any,
    lines: LineMap,
    what: str,
) -> Problem:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    at, found = resolve(model, error["loc"])
    key = at[-1] if at else None
    container = at[:-1]

    if kind == "extra_forbidden":
        owner = resolve(model, error["loc"][:-1])[1]
        allowed = _allowed(owner)
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        hint += "allowed keys: " + ", ".join(allowed)
        where = describe(container, data, what)
        return Problem(path, lines.key_line(at), f"unknown key '{key}' in {where}", hint)
    if kind == "missing":
        where = describe(container, data, what)
        detail = FIELD_HINTS.get(str(key))
        hint = f"add '{key}: ...'" + (f" ({detail})" if detail else "")
        line = lines.mapping_line(container)
        return Problem(path, line, f"missing required key '{key}' in {where}", hint)
    if kind == "union_tag_invalid":
        message = f"unknown question type '{ctx.get('tag')}' in {_subject(at, data, what)}"
        hint = "use one of: " + ", ".join(QUESTION_TYPES)
        return Problem(path, lines.value_line((*at, "type")), message, hint)
    if kind == "union_tag_not_found":
        hint = "add 'type: ...' with one of: " + ", ".join(QUESTION_TYPES)
        message = f"{_subject(at, data, what)} has no 'type'"
        return Problem(path, lines.mapping_line(at), message, hint)

    target = at
    hint = str(ctx.pop("hint", "")) or _field_hint(at)
    if "at" in ctx:  # a model-level check that points at one of the model's keys
        at = (*at, str(ctx.pop("at")))
    line = lines.value_line(at)
    if kind in ("model_type", "model_attributes_type", "dict_type") and _is_model(found):
        hint = "allowed keys: " + ", ".join(_allowed(found))
    if kind == "literal_error":
        hint = f"use {ctx.get('expected')}"
    value = error.get("input")
    if kind == "string_type" and isinstance(key, str) and not isinstance(value, (list, dict)):
        hint = f'put the text in quotes, e.g. {key}: "{_show(value).strip(chr(39))}"'
    hint = hint or "see courses/README.md"
    if kind in _PREDICATES:
        for name, number in ctx.items():  # show 0.0 as 0
            if isinstance(number, float) and number.is_integer():
                ctx[name] = int(number)
        minimum = ctx.get("min_length")
        ctx["entries"] = "entry" if minimum == 1 else "entries"
        ctx["input"] = _show(value)
        try:
            predicate = _PREDICATES[kind].format(**ctx)
        except (KeyError, IndexError):
            predicate = error["msg"]
        return Problem(path, line, f"{_subject(target, data, what)} {predicate}", hint)
    message = error["msg"].removeprefix("Value error, ")
    owner = target if target and isinstance(target[-1], int) else target[:-1]
    if owner:
        message = f"{describe(owner, data, what)}: {message}"
    return Problem(path, line, message, hint)
