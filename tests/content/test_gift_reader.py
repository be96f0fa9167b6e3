"""The GIFT reader: the reference grammar's expected parses, Moodle's fixtures, strictness.

The conformance data lives outside the repository, in /work/shared/fixtures/gift (Moodle's
importer fixtures and documented examples, and gift-pegjs's inputs with the parse it
expects as JSON); the tests that need it skip when it is not there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lms.content.gift.model import Category, Number, Question, Text
from lms.content.gift.reader import GiftFileError, decode, parse_gift, read_gift_file

GIFT_FIXTURES = Path("/work/shared/fixtures/gift")
MISSING = f"the GIFT conformance fixtures are not at {GIFT_FIXTURES} on this machine"
REFERENCE = sorted((GIFT_FIXTURES / "gift-pegjs").glob("*.gift"))
KINDS = {
    "MC": "multichoice",
    "TF": "truefalse",
    "Short": "shortanswer",
    "Numerical": "numerical",
    "Matching": "match",
    "Essay": "essay",
    "Description": "description",
}


def fixture_params(files: list[Path]) -> list[Any]:
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING))]
    return [pytest.param(path, id=path.name) for path in files]


def words(text: str) -> str:
    """The reference grammar folds line breaks in some formats and not others; Moodle (and
    this reader) keeps them. Compare texts with runs of white space folded."""
    return " ".join(text.split())


def ours_text(text: Text | None) -> tuple[str, str] | None:
    return None if text is None else (text.format, words(text.text))


def ref_text(data: dict[str, Any] | None) -> tuple[str, str] | None:
    return None if data is None else (data["format"], words(data["text"]))


def ours_number(number: Number) -> dict[str, Any]:
    if number.kind == "simple":
        return {"type": "simple", "number": float(str(number.value))}
    if number.kind == "range":
        return {
            "type": "range",
            "number": float(str(number.value)),
            "range": float(str(number.tolerance)),
        }
    if number.kind == "high-low":
        return {
            "type": "high-low",
            "numberHigh": float(str(number.high)),
            "numberLow": float(str(number.low)),
        }
    return {"format": "moodle", "text": "*"}  # how the reference writes '~#feedback'


def ours(item: Question | Category) -> dict[str, Any]:
    """Our parse, in the reference's terms."""
    if isinstance(item, Category):
        return {"type": "Category", "title": item.path}
    q = item
    out: dict[str, Any] = {
        "type": q.kind,
        "title": q.name,
        "id": q.idnumber,
        "tags": q.tags or None,
        "stem": (q.text.format, words(q.stem)),
        "embedded": q.text_after is not None,
    }
    if q.kind != "description":
        out["globalFeedback"] = ours_text(q.general_feedback)
    if q.kind in ("multichoice", "shortanswer"):
        out["choices"] = [
            (a.correct is not False, a.weight, ours_text(a.text), ours_text(a.feedback))
            for a in q.answers
        ]
    if q.kind == "truefalse":
        # The reference names the two feedbacks by position; Moodle by meaning.
        out["tf"] = (q.truth, ours_text(q.feedback_wrong), ours_text(q.feedback_right))
    if q.kind == "match":
        out["pairs"] = [(ours_text(p.question), p.answer) for p in q.pairs]
    if q.kind == "numerical":
        [first, *others] = q.numbers
        if not others and first.correct is None and first.weight is None:
            out["choices"] = ours_number(first.number)
        else:
            out["choices"] = [
                (n.correct is not False, n.weight, ours_number(n.number), ours_text(n.feedback))
                for n in q.numbers
            ]
    return out


def ref_number(data: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (float(v) if k != "type" and k != "format" and k != "text" else v)
        for k, v in data.items()
    }


def reference(data: dict[str, Any]) -> dict[str, Any]:
    """The reference's expected parse, in the same terms."""
    if data["type"] == "Category":
        return {"type": "Category", "title": data["title"]}
    kind = data["type"]
    out: dict[str, Any] = {
        "type": KINDS[kind],
        "title": data["title"],
        "id": data["id"],
        "tags": data["tags"],
        "stem": ref_text(data["stem"]),
        "embedded": data["hasEmbeddedAnswers"],
    }
    if kind != "Description":
        out["globalFeedback"] = ref_text(data["globalFeedback"])
    if kind in ("MC", "Short"):
        out["choices"] = [
            (
                c["isCorrect"] or kind == "Short",  # a short answer is right unless weighted
                c["weight"],
                ref_text(c["text"]),
                ref_text(c["feedback"]),
            )
            for c in data["choices"]
        ]
    if kind == "TF":
        out["tf"] = (
            data["isTrue"],
            ref_text(data["trueFeedback"]),
            ref_text(data["falseFeedback"]),
        )
    if kind == "Matching":
        out["pairs"] = [(ref_text(p["subquestion"]), p["subanswer"]) for p in data["matchPairs"]]
    if kind == "Numerical":
        choices = data["choices"]
        if isinstance(choices, dict):
            out["choices"] = ref_number(choices)
        else:
            out["choices"] = [
                (
                    c["isCorrect"] or c["text"].get("text") != "*",
                    c["weight"],
                    ref_number(c["text"]),
                    ref_text(c["feedback"]),
                )
                for c in choices
            ]
    return out


@pytest.mark.parametrize("path", fixture_params(REFERENCE))
def test_reader_matches_the_reference_grammar(path: Path) -> None:
    """Type, title, id, tags, stem, formats, choices, correctness, weights, feedback,
    numbers and ranges: as gift-pegjs expects them, for each of its 51 files."""
    parsed = read_gift_file(path)
    assert parsed.errors == []
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert [ours(item) for item in parsed.items] == [reference(item) for item in expected]


def test_the_reference_data_is_all_there() -> None:
    if not REFERENCE:
        pytest.skip(MISSING)
    assert len(REFERENCE) == 51


def moodle(name: str) -> Path:
    path = GIFT_FIXTURES / "moodle" / name
    if not path.is_file():
        pytest.skip(MISSING)
    return path


def test_moodle_fixture_reads_as_nine_questions() -> None:
    parsed = read_gift_file(moodle("questions.gift.txt"))
    assert parsed.errors == []
    assert [q.kind for q in parsed.items] == [  # type: ignore[union-attr]
        "essay",
        "match",
        "multichoice",
        "multichoice",
        "numerical",
        "shortanswer",
        "truefalse",
        "truefalse",
        "truefalse",
    ]
    q1 = parsed.questions[6]
    assert (q1.name, q1.truth) == ("Q1", False)
    assert q1.feedback_wrong == Text("42 is the Ultimate Answer.")
    assert q1.feedback_right == Text("You gave the right answer.")
    assert q1.general_feedback == Text(
        "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    )
    assert q1.text_after == '";'  # the fixture's PHP-string leftover: a missing word


def test_moodle_category_fixture_is_one_category_and_four_questions() -> None:
    parsed = read_gift_file(moodle("questions_in_category.gift.txt"))
    assert parsed.errors == []
    [category, *questions] = parsed.items
    assert category == Category(2, "$course$/Default for New Features")
    assert len(questions) == 4
    assert {q.category for q in parsed.questions} == {"$course$/Default for New Features"}
    greeting = parsed.questions[1]
    assert greeting.text.format == "html"
    assert greeting.text.text.startswith('<a href="http://demo.moodle.net/file.php/5/media/')


def test_moodle_documented_examples_all_read() -> None:
    parsed = read_gift_file(moodle("examples.txt"))
    assert parsed.errors == []
    assert len(parsed.questions) == 43


def test_escapes_and_line_breaks() -> None:
    [q] = parse_gift(
        "::a\\:b \\{c\\}::Is \\~ \\= \\# \\{ \\} \\: \\\\ a\\nb \\q ok?{\n"
        "  =yes \\= no#fine \\#1\n  ~no\\~\n####general\\nfeedback}\n"
    ).questions
    assert q.name == "a:b {c}"
    assert q.text.text == "Is ~ = # { } : \\ a\nb \\q ok?"
    assert [(a.correct, a.text.text) for a in q.answers] == [(True, "yes = no"), (False, "no~")]
    assert q.answers[0].feedback == Text("fine #1")
    assert q.general_feedback == Text("general\nfeedback")


def test_comments_give_id_and_tags_and_lines_are_kept() -> None:
    parsed = parse_gift(
        "// header\n\n// [id:q-1] [tag:source=Set and Setting]\n"
        "// [tag:objective=obj-1]\n::Name::\n[markdown]Text\non two lines{T}\n"
    )
    [q] = parsed.questions
    assert (q.idnumber, q.tags) == ("q-1", ["source=Set and Setting", "objective=obj-1"])
    assert (q.line, q.text_line, q.brace_line, q.end_line) == (5, 6, 7, 7)
    assert q.text == Text("Text\non two lines", "markdown")


# gift text -> (line, phrase) of the one error it must give
STRICT: dict[str, tuple[int, str]] = {
    "Q?{#abc}": (1, "'abc' is not a number (Moodle would silently give full credit"),
    "Q?\n{true}": (2, "'{true}' is ambiguous: Moodle reads it as a short answer"),
    "::name Q?{T}": (1, "the question name opened by '::' is never closed"),
    "Q?{=a}{=b}": (1, "a second '{' in one question"),
    "Q? {=a}\nmore}": (2, "a second '}' in one question"),
    "Q?\n=a}": (2, "this '}' closes no '{'"),
    "Q?{text ~a =b}": (1, "'text' comes before the first answer"),
    "Q?{~%abc%a =b}": (1, "'%abc%' is not a weight"),
    "Q?{\n~%150%a\n=b}": (2, "the weight %150% is outside -100% to 100%"),
    "Q?{#5:-1}": (1, "the tolerance in 5:-1 is negative"),
    "Q?{#5..1}": (1, "the range 5..1 runs backwards"),
    "Q?{#}": (1, "a numerical question needs at least 1 answer"),
    "Q?{#1 ~2#x}": (1, "'~' only gives feedback for any other answer"),
    "Q?{~a}": (1, "a multiple-choice question needs at least 2 answers, but has 1"),
    "Q?{=a ~}": (1, "this answer is empty"),
    "Q?{=a -> b =c ->}": (1, "a matching pair has no answer after '->'"),
    "{=a}": (1, "the question has no text"),
    "$CATEGORY: x\nQ?{T}": (2, "a $CATEGORY line must stand alone"),
    "// [tag:source=x\nQ?{T}": (1, "'[tag:' in this comment is never closed"),
    "Q?{T}\n\n/* note\nmore": (3, "the comment opened by '/*' is never closed"),
    "/* note */\nQ?{T}": (1, "GIFT has no /* ... */ comments"),
}


@pytest.mark.parametrize(("text", "expected"), STRICT.items(), ids=list(STRICT))
def test_strict_where_moodle_guesses(text: str, expected: tuple[int, str]) -> None:
    parsed = parse_gift(text)
    [error] = parsed.errors
    assert error.line == expected[0]
    assert expected[1] in error.message
    assert error.hint


def test_an_unclosed_brace_stops_at_the_blank_line_and_every_error_is_reported() -> None:
    parsed = parse_gift("Q1?{=a\n\n}\n\nQ2?{T}\n\nQ3?{#x}\n")
    assert [(e.line, e.message.split(":")[0]) for e in parsed.errors] == [
        (1, "unbalanced braces"),
        (3, "unbalanced braces"),
        (7, "'x' is not a number (Moodle would silently give full credit for any answer here)"),
    ]
    assert [q.text.text for q in parsed.questions] == ["Q2?"]


@pytest.mark.parametrize(
    ("data", "line", "phrase"),
    [
        (b"", None, "the file is empty"),
        (b"  \n\n\t\n", None, "the file is empty"),
        (b"Q?{T}\n\x00\x01\x02", 2, "the file is binary"),
        (b"Q?{T}\n\nCaf\xe9?{T}\n", 3, "the file is not UTF-8: byte 0xE9"),
        ("Q?{T}".encode("utf-16"), 1, "the file is UTF-16 text"),
    ],
    ids=["empty", "blank", "binary", "latin-1", "utf-16"],
)
def test_files_that_are_not_gift_text(data: bytes, line: int | None, phrase: str) -> None:
    with pytest.raises(GiftFileError) as caught:
        decode(data)
    assert (caught.value.line, caught.value.message[: len(phrase)]) == (line, phrase)
    assert caught.value.hint


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.gift"
    with path.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)  # sparse: takes no room on disk
    with pytest.raises(
        GiftFileError, match=r"the file is 50\.0 MB; a GIFT file may be at most 5 MB"
    ):
        read_gift_file(path)


def test_a_block_comment_does_not_swallow_the_questions_around_it() -> None:
    parsed = parse_gift("Q1?{T}\n/* note */\nQ2?{F}\n")
    assert [(e.line, e.message.split(":")[0]) for e in parsed.errors] == [
        (2, "GIFT has no /* ... */ comments")
    ]
    assert [q.text.text for q in parsed.questions] == ["Q1?", "Q2?"]


def test_lines_break_at_newlines_only() -> None:
    """Form feeds and Unicode line separators are text, as in Moodle, not blank lines."""
    [q] = parse_gift("One\x0c\n\u2028two?{T}\n").questions
    assert q.text.text == "One\x0c\n\u2028two?"


def test_comments_only_and_encodings_that_are_fine() -> None:
    assert parse_gift("// just a comment\n").errors[0].message == (
        "the file holds no questions, only comments"
    )
    text = decode(b"\xef\xbb\xbfQ\xc3\xa9?{T}\r\n\r\nR?{F}\r\n")
    assert [q.text.text for q in parse_gift(text).questions] == ["Qé?", "R?"]
