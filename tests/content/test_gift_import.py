"""`lms courses import-gift`: every fixture imports or says why, drafts that `check` reads,
options, refusals, and bad files (one clear error each, nothing written, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner

from lms.content.gift.reader import read_gift_file
from lms.content.gift.reports import slugify
from tests.content.conftest import draft_questions, reports, run_check, run_import, snapshot

GIFT_FIXTURES = Path("/work/shared/fixtures/gift")
# Each fixture file -> (questions that import: "line:type", reports: "line:reason"). A
# reason is the kind of thing the LMS does not support, named by REASONS' phrases.
TABLE: dict[str, tuple[str, str]] = {
    "gift-pegjs/TFTwoFeedback.gift": ("", "1:feedback 1:feedback 3:feedback 5:feedback"),
    "gift-pegjs/category1.gift": ("", ""),
    "gift-pegjs/categorySpecialCharacter.gift": ("", ""),
    "gift-pegjs/description1.gift": ("3:true_false", "1:description"),
    "gift-pegjs/descriptionTitleEscapedColon.gift": ("3:true_false", "1:description"),
    "gift-pegjs/descriptionWithID.gift": ("4:true_false", "2:description"),
    "gift-pegjs/escapeAll.gift": ("1:single", ""),
    "gift-pegjs/escapeColon.gift": ("", "3:several-right"),
    "gift-pegjs/escapeEquals.gift": ("2:single", ""),
    "gift-pegjs/essay1.gift": ("1:essay", ""),
    "gift-pegjs/formatExamples.gift": ("", "2:html"),
    "gift-pegjs/giftFormatPhpExamples.gift": (
        "5:single 9:true_false 11:short_answer 13:numeric",
        "7:gap 16:matching 26:gap 30:partial 34:feedback 35:partial 36:partial 37:gap"
        " 42:feedback 43:feedback 43:partial",
    ),
    "gift-pegjs/markdown.gift": ("", "1:description 3:description 6:description 11:description"),
    "gift-pegjs/matching1.gift": ("", "3:matching 9:matching"),
    "gift-pegjs/mc1.gift": ("1:single", ""),
    "gift-pegjs/mc2.gift": ("", "1:gap"),
    "gift-pegjs/mc4.gift": ("2:single", ""),
    "gift-pegjs/mc5.gift": ("7:single 17:single", "9:gap 15:gap"),
    "gift-pegjs/mcHTMLComment.gift": ("", "1:html"),
    "gift-pegjs/multiLineFeedback1.gift": ("3:single", "11:html"),
    "gift-pegjs/multipleAnswersFloat.gift": ("1:multiple", ""),
    "gift-pegjs/newlineAndLaTeX.gift": ("1:essay", ""),
    "gift-pegjs/numerical1.gift": (
        "3:numeric 5:numeric",
        "7:gap 9:gap 11:gap 13:gap 15:gap 17:gap 21:partial 24:html 25:feedback 26:feedback"
        " 27:feedback",
    ),
    "gift-pegjs/options1.gift": (
        "6:numeric 11:short_answer 19:single 51:multiple 57:multiple 64:single 69:single",
        "15:gap 25:feedback 26:feedback 30:feedback 31:feedback 34:feedback 36:partial"
        " 40:partial 41:partial 42:gap 45:feedback 46:partial 47:partial",
    ),
    "gift-pegjs/shortAnswer1.gift": ("3:short_answer", "5:gap"),
    "gift-pegjs/shortAnswer2.gift": ("1:short_answer 5:short_answer", ""),
    "gift-pegjs/shortAnswerNotMatching.gift": ("1:single 4:single", ""),
    "gift-pegjs/shortFirstEmbedded.gift": ("", "1:gap 3:gap"),
    "gift-pegjs/shortFirstEmbeddedUnderline.gift": ("1:short_answer 5:short_answer", ""),
    "gift-pegjs/shortFirstEmbeddedUnderlineHTML.gift": ("1:short_answer 5:short_answer", ""),
    "gift-pegjs/symbolsAll.gift": ("1:true_false", ""),
    "gift-pegjs/tag_id.gift": ("2:essay", ""),
    "gift-pegjs/tag_id_and_two_tags.gift": ("3:essay", ""),
    "gift-pegjs/tag_two_tags.gift": ("2:essay", ""),
    "gift-pegjs/tf1.gift": ("1:true_false", ""),
    "gift-pegjs/tf1_html.gift": ("", "1:html"),
    "gift-pegjs/tf1_markdown.gift": ("1:true_false", ""),
    "gift-pegjs/tf2.gift": ("3:true_false 5:true_false", ""),
    "gift-pegjs/totara_moodle_backslash.gift": ("4:essay", ""),
    "gift-pegjs/totara_moodle_essay.gift": ("4:essay", ""),
    "gift-pegjs/totara_moodle_match.gift": ("", "4:matching"),
    "gift-pegjs/totara_moodle_multichoice.gift": ("4:single", ""),
    "gift-pegjs/totara_moodle_multichoice_multi.gift": ("4:multiple", ""),
    "gift-pegjs/totara_moodle_numerical.gift": ("", "14:feedback"),
    "gift-pegjs/totara_moodle_pre_content.gift": ("", "3:html"),
    "gift-pegjs/totara_moodle_shortanswer.gift": ("", "5:feedback 6:partial 7:feedback"),
    "gift-pegjs/totara_moodle_shortanswer_general_feedback.gift": (
        "",
        "5:feedback 6:partial 7:feedback",
    ),
    "gift-pegjs/totara_moodle_truefalse.gift": ("", "5:feedback 5:feedback"),
    "gift-pegjs/totara_moodle_truefalse_true_answer1.gift": ("4:true_false", ""),
    "gift-pegjs/totara_moodle_truefalse_true_answer2.gift": ("4:true_false", ""),
    "gift-pegjs/type_inferred_multiline_markdown.gift": ("1:short_answer", ""),
    "moodle/examples.txt": (
        "8:single 12:true_false 14:short_answer 16:numeric 25:single 35:single 43:short_answer"
        " 49:true_false 51:true_false 70:numeric 85:numeric 90:short_answer 98:single"
        " 130:multiple 136:multiple 143:single 148:single 167:single 171:true_false"
        " 173:short_answer 175:numeric",
        "10:gap 27:gap 33:gap 45:gap 55:matching 61:matching 72:gap 74:gap 78:partial 94:gap"
        " 104:feedback 105:feedback 109:feedback 110:feedback 113:feedback 115:partial"
        " 119:partial 120:partial 121:gap 124:feedback 125:partial 126:partial 169:gap"
        " 178:matching 188:gap 192:partial 196:feedback 197:partial 198:partial 199:gap"
        " 204:feedback 205:feedback 205:partial",
    ),
    "moodle/questions.gift.txt": (
        "2:essay 14:single 22:multiple 46:true_false 49:true_false",
        "5:matching 31:feedback 31:gap 35:feedback 36:partial 37:feedback 42:feedback"
        " 42:feedback 43:gap",
    ),
    "moodle/questions_in_category.gift.txt": ("22:short_answer", "5:matching 14:html 27:html"),
}
REASONS = {
    "gap": "makes this a missing-word question",
    "matching": "matching questions",
    "description": "a description (text without an answer block)",
    "partial": "partial credit",
    "feedback": "the LMS has one feedback per question here",
    "html": "HTML in the",
    "several-right": "answers give full credit; a single-choice question has exactly one",
}


def reason(message: str) -> str:
    found = [key for key, phrase in REASONS.items() if phrase in message]
    assert len(found) == 1, message
    return found[0]


# --- every fixture ------------------------------------------------------------------------------


def words(text: str) -> str:
    return " ".join(text.split())


def from_reference(ref: dict[str, Any]) -> dict[str, Any]:
    """What the reference grammar's parse of a question means as a quiz question."""
    kind = ref["type"]
    out: dict[str, Any] = {"prompt": words(ref["stem"]["text"])}
    if ref.get("globalFeedback"):
        out["feedback"] = words(ref["globalFeedback"]["text"])
    if kind == "MC":
        single = any(c["isCorrect"] for c in ref["choices"])
        out["type"] = "single" if single else "multiple"
        out["choices"] = []
        for c in ref["choices"]:
            choice: dict[str, Any] = {"text": words(c["text"]["text"])}
            if (c["isCorrect"] and c["weight"] in (None, 100)) or (
                not single and (c["weight"] or 0) > 0
            ):
                choice["correct"] = True
            if c["feedback"]:
                choice["feedback"] = words(c["feedback"]["text"])
            out["choices"].append(choice)
    elif kind == "TF":
        out |= {"type": "true_false", "answer": ref["isTrue"]}
    elif kind == "Short":
        out |= {
            "type": "short_answer",
            "accepted": [words(c["text"]["text"]) for c in ref["choices"]],
        }
    elif kind == "Numerical":
        choices = ref["choices"]
        number = choices if isinstance(choices, dict) else choices[0]["text"]
        if number["type"] == "high-low":
            low, high = number["numberLow"], number["numberHigh"]
            out |= {"answer": (low + high) / 2, "tolerance": (high - low) / 2}
        else:
            out |= {"answer": number["number"], "tolerance": number.get("range", 0)}
        out["type"] = "numeric"
    else:
        assert kind == "Essay"
        out["type"] = "essay"
    return out


def folded(question: dict[str, Any]) -> dict[str, Any]:
    """A draft question with white space folded and without what GIFT does not give."""
    out = {k: v for k, v in question.items() if k not in ("slug", "source", "objective")}
    for key in ("prompt", "feedback"):
        if key in out:
            out[key] = words(out[key])
    if "choices" in out:
        out["choices"] = [
            {k: words(v) if isinstance(v, str) else v for k, v in c.items()} for c in out["choices"]
        ]
    if "accepted" in out:
        out["accepted"] = [words(a) for a in out["accepted"]]
    return out


def table_params() -> list[Any]:
    if not GIFT_FIXTURES.is_dir():
        reason = f"the GIFT conformance fixtures are not at {GIFT_FIXTURES} on this machine"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason))]
    return [pytest.param(name, id=name) for name in TABLE]


def parse_table(entries: str) -> list[tuple[int, str]]:
    return [(int(line), what) for line, what in (e.split(":") for e in entries.split())]


def test_the_table_covers_every_fixture() -> None:
    if not GIFT_FIXTURES.is_dir():
        pytest.skip(f"no GIFT fixtures at {GIFT_FIXTURES}")
    found = {
        f"{p.parent.name}/{p.name}"
        for p in GIFT_FIXTURES.glob("*/*")
        if p.suffix in (".gift", ".txt") and p.name not in ("SOURCE", "LICENSE")
    }
    assert found == set(TABLE)


@pytest.mark.parametrize("name", table_params())
def test_every_fixture_imports_or_reports_why(
    gift_cli: FlaskCliRunner, gift_course: Path, name: str
) -> None:
    cli, course = gift_cli, gift_course
    gift = GIFT_FIXTURES / name
    imported, reported = (parse_table(part) for part in TABLE[name])
    before = snapshot(course)

    result = run_import(cli, gift, course)  # --unsupported fail, the default
    assert sorted((line, reason(m)) for line, m in reports(result, gift, "unsupported")) == reported
    assert "Traceback" not in result.output
    if reported or not imported:
        assert result.exit_code == 1
        assert "Nothing was written." in result.output
        assert snapshot(course) == before
        if not imported:
            return
        result = run_import(cli, gift, course, "--unsupported", "skip", "--source", "History")
    assert result.exit_code == 0, result.output

    questions = draft_questions(course)
    assert [q["type"] for q in questions] == [kind for _, kind in imported]
    # The first run had no --source: its drafts have none, and check must say so.
    with_source = bool(reported)
    assert all(q.get("source") == ("History" if with_source else None) for q in questions)
    if gift.suffix == ".gift":  # compare with the reference grammar's parse
        expected = json.loads(gift.with_suffix(".json").read_text(encoding="utf-8"))
        by_line = dict(
            zip([getattr(i, "line", 0) for i in read_gift_file(gift).items], expected, strict=True)
        )
        for (line, _), question in zip(imported, questions, strict=True):
            ref = by_line[line]
            assert folded(question) == from_reference(ref), line
            named = ref["id"] or ref["title"]
            assert question["slug"].startswith(slugify(named) if named else "")

    check = run_check(cli, course)
    problems = [line for line in check.output.splitlines() if ": missing required key" in line]
    missing_feedback = sum(1 for q in questions if "feedback" not in q)
    essays = sum(1 for q in questions if q["type"] == "essay")
    assert sum("'feedback'" in p for p in problems) == missing_feedback
    assert sum("'rubric'" in p for p in problems) == essays
    assert sum("'source'" in p for p in problems) == (0 if with_source else len(questions))
    if not problems:
        assert check.exit_code == 0, check.output
    else:
        assert "problem" in check.output and check.exit_code == 1
        assert len(check.output.strip().splitlines()) == len(problems) + 1  # + the summary
