"""No run of 8 or more consecutive words of the source article appears in a course's files
outside the article's fact lists: the courses carry the article's facts over, not its
sentences. What counts as the article's prose, and how words are compared, is documented in
`tests/content/copied_text.py`; the article is kept only as hashes of its 8-word runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.resources import bundled_courses_dir
from tests.content.copied_text import RUN, load_runs, shared_runs

COHORT = "relational-psychedelic-assisted-therapy"


def copied(folder: Path) -> list[str]:
    runs = load_runs()
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".md", ".yml") and path.is_file():
            text = path.read_text(encoding="utf-8")
            found.extend(f"{path}:{line}: {words}" for line, words in shared_runs(text, runs))
    return found


@pytest.mark.parametrize("course", ["essentials-of-psychedelic-care", COHORT])
def test_no_course_copies_a_run_of_the_articles_prose(course: str) -> None:
    folder = bundled_courses_dir() / course
    assert folder.is_dir()
    found = copied(folder)
    assert not found, f"runs of {RUN}+ words copied from the article:\n" + "\n".join(found)


def test_the_check_finds_a_copied_sentence_and_ignores_a_fact_list(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson.md"
    lesson.write_text(
        "The listed contraindications are hypertension, preeclampsia, eclampsia, severe\n"
        "cardiac disease, stroke, raised intracranial pressure, acute porphyria, epilepsy,\n"
        "schizophrenia and alcoholism.\n"
        "\n"
        "Ketamine-assisted therapy clinics tend to emphasise a more holistic programme\n"
        "that helps integrate gains.\n"
    )
    [found] = copied(tmp_path)
    assert found.startswith(f"{lesson}:5: ketamine assisted therapy clinics tend to emphasize")
