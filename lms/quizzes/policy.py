"""A quiz's review settings: what a learner sees after an attempt, and when.

Pure data, shared by the course-file schema (which validates them) and the review page
(which applies them), without the schema's cost at start-up.
"""

from __future__ import annotations

from typing import Any

SHOWN = ("after_each_attempt", "after_passing_or_last_attempt", "never")
#: How early each value shows something (lower is earlier).
EARLINESS = {value: rank for rank, value in enumerate(SHOWN)}
SETTINGS = ("score", "correctness", "answers", "feedback")
DEFAULTS = {
    "score": "after_each_attempt",
    "correctness": "after_each_attempt",
    # Answers and feedback (which often states the answer) wait for a pass or the end.
    "answers": "after_passing_or_last_attempt",
    "feedback": "after_passing_or_last_attempt",
}
#: The first version's `correct_answers` values.
LEGACY_ANSWERS = {
    "after_submit": "after_each_attempt",
    "after_pass": "after_passing_or_last_attempt",
    "after_last_attempt": "after_passing_or_last_attempt",
    "never": "never",
}


def upgrade_legacy(data: dict[str, Any]) -> dict[str, Any]:
    """Read the first version's keys: `results` and `feedback` (true/false) and
    `correct_answers`. Old `feedback: true` now follows the answers, never before them.
    Values that cannot be read are passed on for the schema to report."""
    data = dict(data)
    if "results" in data:
        results = data.pop("results")
        if isinstance(results, bool):
            value = "after_each_attempt" if results else "never"
            data.setdefault("score", value)
            data.setdefault("correctness", value)
        else:
            data.setdefault("score", results)
    if "correct_answers" in data:
        old = data.pop("correct_answers")
        data.setdefault("answers", LEGACY_ANSWERS.get(old, old) if isinstance(old, str) else old)
    if isinstance(data.get("feedback"), bool):
        answers = data.get("answers", DEFAULTS["answers"])
        data["feedback"] = answers if data["feedback"] else "never"
    return data


def settings(stored: dict[str, Any] | None) -> dict[str, str]:
    """A quiz's four settings from what sync stored (any version's keys; bad values and
    missing keys take the defaults)."""
    data = upgrade_legacy(stored or {})
    return {
        name: data[name] if data.get(name) in SHOWN else default
        for name, default in DEFAULTS.items()
    }
