"""``lms courses import-gift``: a GIFT file into draft quiz files in a module folder.

One draft quiz per ``$CATEGORY`` (questions before the first one, or all of them with
``--quiz``, go into one quiz named after the file or the option). Every question is
converted and checked first; only if the import as a whole succeeds are the drafts (and
the module.yml that lists them) written, all at once. A draft may lack what GIFT does not
say (source, feedback, an essay's rubric): it is written with a TODO comment there, and
``lms courses check`` reports the missing key until the author adds it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lms.content.crosscheck import did_you_mean
from lms.content.gift.convert import Defaults, Draft, convert_question
from lms.content.gift.draft import DEFAULTS_NOTE, DraftQuestion, DraftQuiz, render_quiz
from lms.content.gift.model import Question
from lms.content.gift.reader import GiftFileError, read_gift_file
from lms.content.gift.reports import Report, humanize, slugify, unique_slug
from lms.content.gift.target import Target, TargetError, find_target, list_in_module, write_files
from lms.content.schema import MAX_SHORT_TEXT, SLUG_RE

_TODO = {
    "feedback": "TODO feedback: the GIFT question has no general feedback (####); write "
    "the explanation learners see after answering",
    "source": "TODO source: add the article section this question rests on (one of the "
    "course's sources)",
    "rubric": "TODO rubric: GIFT essays have none; add criteria with points "
    "(see courses/README.md)",
}


@dataclass(frozen=True)
class ImportRequest:
    gift: Path
    root: Path  # the courses folder
    course: str
    module: str
    quiz: str | None = None
    source: str | None = None
    objective: str | None = None
    unsupported: Literal["skip", "fail"] = "fail"
    force: bool = False


@dataclass
class ImportOutcome:
    reports: list[str] = field(default_factory=list)  # file:line: severity: message
    summary: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    failure: str | None = None  # why nothing was written


@dataclass
class _Quiz:
    slug: str
    title: str
    category: str | None
    questions: list[Question] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)

    @property
    def kept(self) -> list[Draft]:
        return [draft for draft in self.drafts if not draft.blocked]


def import_gift(request: ImportRequest) -> ImportOutcome:
    return _Import(request).run()


class _Import:
    def __init__(self, request: ImportRequest) -> None:
        self.request = request
        self.outcome = ImportOutcome()
        self.reports: list[Report] = []

    def fail(self, reason: str) -> ImportOutcome:
        self.flush()
        self.outcome.failure = reason + " Nothing was written."
        return self.outcome

    def flush(self) -> None:
        ordered = sorted(self.reports, key=lambda r: (r.line is None, r.line or 0))
        self.outcome.reports += [r.format(self.request.gift) for r in ordered]
        self.reports = []

    def run(self) -> ImportOutcome:
        request = self.request
        try:
            target = find_target(request.root, request.course, request.module)
        except TargetError as exc:
            return self.fail(f"{exc}.")
        problem = self.check_options(target)
        if problem:
            return self.fail(problem)
        try:
            gift = read_gift_file(request.gift)
        except GiftFileError as exc:
            self.reports.append(Report(exc.line, "error", exc.message, exc.hint))
            return self.fail(f"{request.gift} cannot be read as GIFT.")
        self.reports += [Report(e.line, "error", e.message, e.hint) for e in gift.errors]
        quizzes = self.group(gift.questions)
        for quiz in quizzes:
            self.convert(quiz, target)
        errors = sum(1 for r in self.reports if r.severity == "error")
        if errors:
            return self.fail(f"{_plural(errors, 'error')} in {request.gift}.")
        blocked = sum(1 for quiz in quizzes for draft in quiz.drafts if draft.blocked)
        if blocked and request.unsupported == "fail":
            return self.fail(
                f"{_plural(blocked, 'question')} {'uses' if blocked == 1 else 'use'} what "
                "the LMS does not support "
                "(--unsupported skip imports the others)."
            )
        return self.write(quizzes, target, skipped=blocked)

    def check_options(self, target: Target) -> str | None:
        request = self.request
        if request.source is not None and request.source not in target.sources:
            hint = did_you_mean(request.source, target.sources, "sources")
            return f"--source '{request.source}' is not one of the course's sources ({hint})."
        for option, value in (("--objective", request.objective), ("--quiz", request.quiz)):
            if value is not None and not SLUG_RE.fullmatch(value):
                return f"{option} '{value}' is not a slug (lowercase letters, digits, hyphens)."
        return None

    def group(self, questions: list[Question]) -> list[_Quiz]:
        """One quiz per $CATEGORY; with --quiz, one quiz for everything."""
        stem = slugify(self.request.gift.name.split(".")[0]) or "imported"
        quizzes: dict[str, _Quiz] = {}
        for question in questions:
            slug, title, category = stem, humanize(stem), question.category
            if self.request.quiz:
                slug, title, category = self.request.quiz, humanize(self.request.quiz), None
            elif category and (parts := [p.strip() for p in category.split("/") if p.strip()]):
                segment = parts[-1]  # $course$/top/Unit 1 -> "Unit 1"
                slug = slugify(segment) or stem
                title = humanize(segment) if SLUG_RE.fullmatch(segment) else segment
            quiz = quizzes.setdefault(slug, _Quiz(slug, title[:MAX_SHORT_TEXT], category))
            quiz.questions.append(question)
        return list(quizzes.values())

    def convert(self, quiz: _Quiz, target: Target) -> None:
        defaults = Defaults(self.request.source, self.request.objective)
        for question in quiz.questions:
            draft = convert_question(question, defaults)
            quiz.drafts.append(draft)
            self.reports += draft.reports
            if draft.blocked == "unsupported" and self.request.unsupported == "skip":
                self.reports.append(Report(question.line, "note", "question skipped"))
            source = (draft.data or {}).get("source")
            if source is not None and source not in target.sources:
                self.reports.append(
                    Report(
                        question.line,
                        "note",
                        f"source '{source}' is not one of the course's sources",
                        did_you_mean(source, target.sources, "sources"),
                    )
                )

    # --- writing ---------------------------------------------------------------------------------

    def write(self, quizzes: list[_Quiz], target: Target, skipped: int) -> ImportOutcome:
        request = self.request
        files: dict[Path, str] = {}
        written: list[tuple[_Quiz, Path]] = []
        for quiz in quizzes:
            if not quiz.kept:
                if quiz.drafts:
                    self.reports.append(
                        Report(None, "note", f"quiz '{quiz.slug}': no question left to import")
                    )
                continue
            path = target.module_dir / f"{quiz.slug}.quiz.yml"
            other = target.quiz_files.get(quiz.slug)
            if other is not None and other != path:
                return self.fail(
                    f"Quiz slug '{quiz.slug}' is already used by {other}; choose another "
                    "with --quiz."
                )
            if path.exists() and not request.force:
                return self.fail(f"{path} exists (pass --force to replace it).")
            files[path] = render_quiz(self.draft_quiz(quiz))
            written.append((quiz, path))
        if not files:
            return self.fail("No question could be imported.")
        self.summarise_missing(quizzes)
        module_yml = target.module_dir / "module.yml"
        listed = module_yml.read_text(encoding="utf-8")
        edited = listed
        unlisted: list[str] = []
        for _, path in written:
            after = list_in_module(edited, path.name)
            if after is None:
                unlisted.append(path.name)
            else:
                edited = after
        if edited != listed:
            files[module_yml] = edited
        try:
            write_files(files)
        except OSError as exc:
            return self.fail(f"Cannot write {exc.filename}: {exc.strerror}.")
        self.flush()
        self.outcome.written = list(files)
        self.outcome.summary = self.summary(written, unlisted, module_yml, skipped)
        return self.outcome

    def draft_quiz(self, quiz: _Quiz) -> DraftQuiz:
        taken: set[str] = set()
        questions: list[DraftQuestion] = []
        for draft in quiz.kept:
            assert draft.data is not None
            data = draft.data | {"slug": unique_slug(draft.slug_base, taken)}
            comments = [f"from {self.request.gift.name}:{draft.line}"]
            comments += [_TODO[key] for key in draft.missing]
            questions.append(DraftQuestion(data, comments))
        origin = f"{self.request.gift.name}" + (
            f" ($CATEGORY {quiz.category})" if quiz.category else ""
        )
        header = [
            f"Draft imported by `lms courses import-gift` from {origin}.",
            f"Chosen by the import: {DEFAULTS_NOTE}.",
            "Review each question, do what the TODO comments say, then run `lms courses check`.",
        ]
        return DraftQuiz(quiz.slug, quiz.title, questions, header)

    def summarise_missing(self, quizzes: list[_Quiz]) -> None:
        kept = [draft for quiz in quizzes for draft in quiz.kept]
        for key, how in (
            ("source", "add [tag:source=...] to their comments or pass --source"),
            ("feedback", "add general feedback (####) or write it in the draft"),
            ("rubric", "write the rubric in the draft"),
        ):
            lines = [draft.line for draft in kept if key in draft.missing]
            if lines:
                shown = ", ".join(str(line) for line in lines[:10]) + (
                    ", ..." if len(lines) > 10 else ""
                )
                self.reports.append(
                    Report(
                        None,
                        "note",
                        f"{_plural(len(lines), 'question')} (lines {shown}) have no {key}: the "
                        f"draft marks it TODO and `lms courses check` reports it until it is there",
                        how,
                    )
                )
        if self.request.objective is None:
            lines = [d.line for d in kept if d.data and "objective" not in d.data]
            if lines:
                self.reports.append(
                    Report(
                        None,
                        "note",
                        f"{_plural(len(lines), 'question')} have no objective",
                        "add [tag:objective=...] to their comments or pass --objective",
                    )
                )
        multiple = sum(1 for d in kept if d.data and d.data["type"] == "multiple")
        if multiple:
            self.reports.append(
                Report(
                    None,
                    "note",
                    f"{_plural(multiple, 'multiple-answer question')}: Moodle gives each right "
                    "choice its share of the points; the LMS gives the points only for exactly "
                    "the right set",
                )
            )

    def summary(
        self, written: list[tuple[_Quiz, Path]], unlisted: list[str], module_yml: Path, skipped: int
    ) -> list[str]:
        lines: list[str] = []
        for quiz, path in written:
            types = Counter(d.data["type"] for d in quiz.kept if d.data)
            detail = ", ".join(f"{count} {kind}" for kind, count in types.items())
            lines.append(
                f"Wrote {path}: quiz '{quiz.slug}', "
                f"{_plural(len(quiz.kept), 'question')} ({detail})."
            )
        listed = [path.name for _, path in written if path.name not in unlisted]
        if listed:
            lines.append(f"Listed in {module_yml}: {', '.join(listed)}.")
        for name in unlisted:
            lines.append(
                f"Add '- {name}' to the items of {module_yml} yourself "
                "(it could not be edited safely)."
            )
        if skipped:
            lines.append(f"Skipped {_plural(skipped, 'unsupported question')}.")
        lines.append(f"Draft defaults: {DEFAULTS_NOTE}.")
        lines.append("Next: complete the TODOs in the draft, then run `lms courses check`.")
        return lines


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
