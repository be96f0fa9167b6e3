"""A GIFT question as a quiz-file question (a dict, as in a ``*.quiz.yml``), or why not.

The LMS holds single and multiple choice, true/false, short answer, numeric and essay
questions, scored all or nothing, with one feedback per question (and one per choice).
Anything Moodle would do that the LMS cannot is reported as *unsupported* rather than
imported with a different meaning: matching, descriptions, missing-word gaps, partial
credit, penalties, wildcards, several right numbers, per-answer feedback outside choices,
and HTML (the LMS shows question text as plain text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lms.content.gift.model import Answer, Number, Question, Text
from lms.content.gift.reports import Report, Severity, shorten, slugify

_HTML_RE = re.compile(r"<[A-Za-z!/?][^>]*>|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_WILDCARD_RE = re.compile(r"(?<!\\)\*")
#: Positive weights of a multiple-answer question may add up to 99.99999 (3 x 33.33333).
_WEIGHT_SLACK = 0.05
_TAG_KEYS = ("source", "objective", "points")


@dataclass(frozen=True)
class Defaults:
    """What the command line supplies for questions whose comments do not."""

    source: str | None = None
    objective: str | None = None


@dataclass
class Draft:
    line: int
    slug_base: str
    data: dict[str, Any] | None  # None when the question cannot be imported
    reports: list[Report] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required keys the draft lacks

    @property
    def blocked(self) -> Severity | None:
        """The worst reason the question cannot be imported, if any."""
        severities = {r.severity for r in self.reports}
        for severity in ("error", "unsupported"):
            if severity in severities:
                return severity  # type: ignore[return-value]
        return None


def convert_question(question: Question, defaults: Defaults) -> Draft:
    return _Converter(question, defaults).run()


class _Converter:
    def __init__(self, question: Question, defaults: Defaults) -> None:
        self.q = question
        self.defaults = defaults
        self.draft = Draft(question.line, _slug_base(question), None)

    def report(self, line: int | None, severity: Severity, message: str, hint: str = "") -> None:
        self.draft.reports.append(Report(line or self.q.line, severity, message, hint))

    def unsupported(self, line: int | None, message: str, hint: str = "") -> None:
        self.report(line, "unsupported", message, hint)

    def run(self) -> Draft:
        q = self.q
        if q.kind == "description":
            self.unsupported(
                q.line,
                "a description (text without an answer block) is not a question in the LMS",
                "put the text in the quiz's description or in a lesson",
            )
            return self.draft
        if q.kind == "match":
            self.unsupported(
                q.brace_line,
                f"matching questions ({len(q.pairs)} pairs) are not supported by the LMS",
                "rewrite it as several single-choice questions",
            )
            return self.draft
        if q.text_after is not None:
            self.unsupported(
                q.after_line,
                f"text after the answer block ('{shorten(q.text_after)}') makes this a "
                "missing-word question, with a gap in the text; the LMS has no gaps",
                "put the answer block at the end of the question and reword the text",
            )
        self.check_html()
        tags = self.tags()
        typed = self.typed()
        if typed is None or self.draft.blocked:
            return self.draft
        data: dict[str, Any] = {"slug": "", "prompt": q.text.text, **typed, **tags}
        if q.general_feedback is not None:
            data["feedback"] = q.general_feedback.text
        self.draft.missing = [key for key in ("feedback", "source") if key not in data]
        if q.kind == "essay":
            self.draft.missing.append("rubric")
        self.draft.data = _ordered(data)
        return self.draft

    # --- checks ----------------------------------------------------------------------------------

    def check_html(self) -> None:
        texts: list[tuple[str, Text | None, int | None]] = [
            ("question text", self.q.text, self.q.text_line),
            ("general feedback", self.q.general_feedback, self.q.brace_line),
            ("feedback", self.q.feedback_wrong, self.q.body_line),
            ("feedback", self.q.feedback_right, self.q.body_line),
        ]
        for answer in self.q.answers:
            texts += [
                ("answer", answer.text, answer.line),
                ("feedback", answer.feedback, answer.line),
            ]
        for number in self.q.numbers:
            texts.append(("feedback", number.feedback, number.line))
        for what, text, line in texts:
            if text is not None and text.format in ("html", "moodle"):
                found = _HTML_RE.search(text.text)
                if found:
                    self.unsupported(
                        line,
                        f"HTML in the {what} ('{shorten(found.group(0), 30)}'): the LMS shows "
                        "questions as plain text, so the markup would show as typed",
                        "rewrite the text without HTML (or mark plain text with [plain])",
                    )
                    return

    def tags(self) -> dict[str, Any]:
        """source, objective and points from [tag:key=value] comments or the defaults."""
        values: dict[str, list[str]] = {key: [] for key in _TAG_KEYS}
        others: list[str] = []
        for tag in self.q.tags:
            key, sep, value = tag.partition("=")
            if sep and key.strip() in values:
                values[key.strip()].append(value.strip())
            else:
                others.append(tag)
        if others:
            self.report(
                self.q.line,
                "note",
                f"Moodle tags not kept (quiz questions have none): {', '.join(others)}",
            )
        found: dict[str, Any] = {}
        for key, given in values.items():
            if len(given) > 1:
                self.report(
                    self.q.line,
                    "error",
                    f"{len(given)} '{key}' tags on one question",
                    f"keep one [tag:{key}=...]",
                )
            elif given:
                found[key] = given[0]
        for key in ("source", "objective"):
            fallback = getattr(self.defaults, key)
            if key not in found and fallback is not None:
                found[key] = fallback
        if "points" in found:
            points = found.pop("points")
            if not re.fullmatch(r"[1-9][0-9]{0,5}", points):
                self.report(
                    self.q.line,
                    "error",
                    f"[tag:points={points}]: points are a whole number of 1 or more",
                    "write e.g. [tag:points=2]",
                )
            elif self.q.kind == "essay":
                self.report(
                    self.q.line, "note", "points of an essay are its rubric's total: ignored"
                )
            elif points != "1":
                found["points"] = int(points)
        return found

    # --- types -----------------------------------------------------------------------------------

    def typed(self) -> dict[str, Any] | None:
        q = self.q
        if q.kind == "essay":
            return {"type": "essay"}
        if q.kind == "truefalse":
            for text in (q.feedback_wrong, q.feedback_right):
                if text is not None:
                    self.per_answer_feedback(q.body_line, text, "true/false answer")
            return {"type": "true_false", "answer": q.truth}
        if q.kind == "multichoice":
            return self.choices()
        if q.kind == "shortanswer":
            return self.short_answer()
        return self.numeric()

    def per_answer_feedback(self, line: int | None, text: Text, what: str) -> None:
        self.unsupported(
            line,
            f"feedback for one {what} ('{shorten(text.text)}'): the LMS has one feedback "
            "per question here",
            "move what matters into the general feedback ({... ####feedback})",
        )

    def choices(self) -> dict[str, Any] | None:
        answers = self.q.answers
        weights = [_weight(a) for a in answers]
        choices = []
        if any(a.correct for a in answers):  # Moodle: a '=' makes it single choice
            for answer, weight in zip(answers, weights, strict=True):
                if 0 < weight < 100 or weight < 0:
                    what = "partial credit" if weight > 0 else "a penalty"
                    self.unsupported(
                        answer.line,
                        f"{what} of {_percent(weight)} for '{shorten(answer.text.text)}': "
                        "the LMS scores a single-choice question all or nothing",
                        "give right answers =, wrong ones ~ with no weight",
                    )
            full = [a for a, w in zip(answers, weights, strict=True) if w == 100]
            if len(full) > 1:
                self.unsupported(
                    full[1].line,
                    f"{len(full)} answers give full credit; a single-choice question has "
                    "exactly one right answer",
                    "keep one '=', or make it multiple-answer: ~%50%right ~%50%right ~wrong",
                )
            kind = "single"
            correct = [w == 100 for w in weights]
        else:
            positive = [w for w in weights if w > 0]
            if not positive:
                self.report(
                    self.q.body_line,
                    "error",
                    "no answer is right: mark the right answer with =, or give the right "
                    "answers of a multiple-answer question positive weights",
                    "e.g. {=right ~wrong} or {~%50%right ~%50%right ~%-100%wrong}",
                )
                return None
            if abs(sum(positive) - 100) > _WEIGHT_SLACK or max(positive) - min(positive) > (
                _WEIGHT_SLACK
            ):
                self.unsupported(
                    self.q.brace_line,
                    f"partial credit: the right answers carry {_list(positive)} (Moodle gives "
                    "each its share); the LMS gives the points only for exactly the right set",
                    "give the right answers equal weights that add up to 100%",
                )
            kind = "multiple"
            correct = [w > 0 for w in weights]
        for answer, right in zip(answers, correct, strict=True):
            choice: dict[str, Any] = {"text": answer.text.text}
            if right:
                choice["correct"] = True
            if answer.feedback is not None:
                choice["feedback"] = answer.feedback.text
            choices.append(choice)
        return {"type": kind, "choices": choices}

    def short_answer(self) -> dict[str, Any] | None:
        accepted: list[str] = []
        for answer in self.q.answers:
            weight = 100.0 if answer.weight is None else answer.weight  # '=' is implied
            text = answer.text.text
            if weight <= 0 and answer.feedback is None:
                self.report(answer.line, "note", f"'{shorten(text)}' gives no credit: left out")
                continue
            if weight < 100:
                if weight > 0:
                    self.unsupported(
                        answer.line,
                        f"partial credit of {_percent(weight)} for '{shorten(text)}': the LMS "
                        "gives all points or none",
                        "accept it fully or leave it out",
                    )
                elif answer.feedback is not None:
                    self.per_answer_feedback(answer.line, answer.feedback, "wrong answer")
                continue
            if _WILDCARD_RE.search(text):
                self.unsupported(
                    answer.line,
                    f"'{shorten(text)}' uses the wildcard '*'; the LMS compares answers literally",
                    "list the accepted spellings instead (a literal asterisk is written \\*)",
                )
            if answer.feedback is not None:
                self.per_answer_feedback(answer.line, answer.feedback, "accepted answer")
            accepted.append(text.replace("\\*", "*"))
        if not accepted and not self.draft.blocked:
            self.unsupported(self.q.brace_line, "no answer gives full credit", "mark one with =")
        return {"type": "short_answer", "accepted": accepted}

    def numeric(self) -> dict[str, Any] | None:
        right: list[Number] = []
        for number in self.q.numbers:
            weight = (
                0.0
                if number.correct is False
                else (100.0 if number.weight is None else number.weight)
            )
            if number.feedback is not None:
                what = "right answer" if weight == 100 else "wrong answer"
                self.per_answer_feedback(number.line, number.feedback, what)
            if 0 < weight < 100:
                self.unsupported(
                    number.line,
                    f"partial credit of {_percent(weight)}: the LMS gives all points or none",
                    "keep one right answer, with a tolerance",
                )
            elif weight == 100 and number.number.kind == "any":
                self.unsupported(
                    number.line, "'*' gives full credit for any number", "give the number"
                )
            elif weight == 100:
                right.append(number.number)
        if len(right) > 1:
            self.unsupported(
                self.q.brace_line,
                f"{len(right)} right numbers; a numeric question has one answer and a tolerance",
                "keep one, e.g. {#1822:2} or {#1820..1824}",
            )
        if not right:
            if not self.draft.blocked:
                self.unsupported(
                    self.q.brace_line, "no number gives full credit", "mark the right one with ="
                )
            return None
        answer, tolerance = numeric_answer(right[0])
        return {"type": "numeric", "answer": answer, "tolerance": tolerance}


def numeric_answer(number: Number) -> tuple[int | float, int | float]:
    """The LMS's answer and tolerance for ``1822``, ``1822:2`` or ``1820..1824``."""
    if number.kind == "high-low":
        low, high = Decimal(str(number.low)), Decimal(str(number.high))
        return _plain((low + high) / 2), _plain((high - low) / 2)
    tolerance = Decimal(number.tolerance) if number.tolerance is not None else Decimal(0)
    return _plain(Decimal(str(number.value))), _plain(tolerance)


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _weight(answer: Answer) -> float:
    """A choice's weight: as written, else 100% for '=' and 0% for '~'."""
    if answer.weight is not None:
        return answer.weight
    return 100.0 if answer.correct else 0.0


def _percent(weight: float) -> str:
    return f"{int(weight) if weight.is_integer() else weight}%"


def _list(weights: list[float]) -> str:
    return ", ".join(_percent(w) for w in weights)


def _slug_base(question: Question) -> str:
    for candidate in (question.idnumber, question.name, question.text.text):
        if candidate:
            slug = slugify(candidate, limit=60 if candidate != question.text.text else 40)
            if slug:
                return slug
    return "question"


_ORDER = ("slug", "type", "prompt", "points", "choices", "answer", "tolerance", "accepted")
_LAST = ("feedback", "source", "objective")


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    """Keys in the order courses/README.md shows them."""
    first = [k for k in _ORDER if k in data]
    last = [k for k in _LAST if k in data]
    middle = [k for k in data if k not in first and k not in last]
    return {k: data[k] for k in [*first, *middle, *last]}
