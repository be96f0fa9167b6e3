"""Cross-checks within a course: duplicate slugs, links, sources, completion rules,
objectives (each assessed, each tag known) and CE hours against the expected time."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lms.content.expected_time import TOLERANCE, expected_time, hours
from lms.content.problems import Problem
from lms.content.yamlsource import LineMap

if TYPE_CHECKING:
    from lms.content.loader import CourseSource


def did_you_mean(name: str, options: list[str], what: str) -> str:
    close = difflib.get_close_matches(name, options, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"{what}: {', '.join(options)}" if options else f"there are no {what} yet"


class Slugs:
    """First occurrence of each slug of one kind, to report duplicates."""

    def __init__(self, problems: list[Problem], kind: str, scope: str) -> None:
        self.problems = problems
        self.kind = kind
        self.scope = scope
        self.seen: dict[str, tuple[Path, int]] = {}

    def add(self, slug: Any, path: Path, line: int) -> None:
        if not isinstance(slug, str):
            return
        first = self.seen.setdefault(slug, (path, line))
        if first != (path, line):
            self.problems.append(
                Problem(
                    path,
                    line,
                    f"{self.kind} slug '{slug}' is already used at {first[0]}:{first[1]}",
                    f"{self.kind} slugs must be unique {self.scope}; give one of them another slug",
                )
            )


@dataclass
class CourseIndex:
    """What one course's files say, collected while loading, for the cross-checks."""

    problems: list[Problem]
    modules: Slugs = field(init=False)
    lessons: Slugs = field(init=False)
    quizzes: Slugs = field(init=False)
    evaluations: Slugs = field(init=False)
    pages: Slugs = field(init=False)
    links: list[tuple[Path, int, str, str]] = field(default_factory=list)
    cited: list[tuple[Path, int, str]] = field(default_factory=list)  # question sources
    #: (file, line, objective id) of every question's `objective`.
    assessed: list[tuple[Path, int, str]] = field(default_factory=list)
    #: (file, line, question slug) of questions with no `objective`.
    untagged: list[tuple[Path, int, str]] = field(default_factory=list)
    # Kinds ("lesson", "quiz", ...) whose slugs are not all known because a file could not
    # be read; links to them are not checked, to avoid reporting one mistake several times.
    unknown: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.modules = Slugs(self.problems, "module", "within a course")
        self.lessons = Slugs(self.problems, "lesson", "within a course")
        self.quizzes = Slugs(self.problems, "quiz", "within a course")
        self.evaluations = Slugs(self.problems, "evaluation", "within a course")
        self.pages = Slugs(self.problems, "page", "within a course")

    def slugs(self, kind: str) -> Slugs:
        return {
            "lesson": self.lessons,
            "quiz": self.quizzes,
            "evaluation": self.evaluations,
            "page": self.pages,
        }[kind]

    def add(self, kind: str, slug: Any, path: Path, line: int) -> None:
        if not isinstance(slug, str):
            self.unknown.add(kind)
        self.slugs(kind).add(slug, path, line)

    def report(self, path: Path, line: int | None, message: str, hint: str) -> None:
        self.problems.append(Problem(path, line, message, hint))

    def check(self, path: Path, data: Any, lines: LineMap) -> None:
        """Cross-check the course once all its files are read; ``path`` is course.yml."""
        data = data if isinstance(data, dict) else {}
        completion = data.get("completion")
        required = completion.get("quizzes") if isinstance(completion, dict) else None
        quizzes = sorted(self.quizzes.seen)
        if isinstance(required, list) and "quiz" not in self.unknown:
            for index, slug in enumerate(required):
                if isinstance(slug, str) and slug not in self.quizzes.seen:
                    self.report(
                        path,
                        lines.value_line(("completion", "quizzes", index)),
                        f"completion requires quiz '{slug}', but no quiz in this course has "
                        "that slug",
                        did_you_mean(slug, quizzes, "quiz slugs in this course"),
                    )
        sources = data.get("sources")
        if isinstance(sources, list):
            known = [s for s in sources if isinstance(s, str)]
            for file, line, source in self.cited:
                if source not in known:
                    self.report(
                        file,
                        line,
                        f"source '{source}' is not one of the course's sources",
                        did_you_mean(source, known, "sources in course.yml")
                        + " (or add it to 'sources' in course.yml)",
                    )
        for file, line, kind, slug in self.links:
            slugs = sorted(self.slugs(kind).seen)
            if slug not in slugs and kind not in self.unknown:
                self.report(
                    file,
                    line,
                    f"broken link: no {kind} in this course has the slug '{slug}'",
                    did_you_mean(slug, slugs, f"{kind} slugs in this course"),
                )
        self.check_objectives(path, data, lines)

    def check_objectives(self, path: Path, data: dict[str, Any], lines: LineMap) -> None:
        """Every question tests a known objective; every objective is tested."""
        objectives = data.get("objectives")
        known = sorted(objectives) if isinstance(objectives, dict) else []
        for file, line, objective in self.assessed:
            if objective not in known:
                where = "course.yml defines none" if not known else "course.yml does not define it"
                self.report(
                    file,
                    line,
                    f"objective '{objective}' is not one of the course's objectives ({where})",
                    did_you_mean(objective, known, "objectives in course.yml")
                    + " (or add it under 'objectives' in course.yml)",
                )
        if not known or "quiz" in self.unknown:
            return
        for file, line, slug in self.untagged:
            self.report(
                file,
                line,
                f"question '{slug}' has no objective",
                "add 'objective: ...' with the id of the course objective it assesses: "
                + ", ".join(known),
            )
        tested = {objective for _, _, objective in self.assessed}
        for objective in known:
            if objective not in tested:
                self.report(
                    path,
                    lines.key_line(("objectives", objective)),
                    f"objective '{objective}' is not assessed by any question",
                    "tag at least one question with 'objective: " + objective + "', "
                    "or remove the objective",
                )


def check_hours(path: Path, lines: LineMap, course: CourseSource) -> list[Problem]:
    """CE hours no more than 10% above the course's expected time (live and home study
    each against their own part when the course reports them apart)."""
    spec = course.course
    if not spec.ce_hours:
        return []
    time = expected_time(course)
    problems = []
    claims = [("ce_hours", ("ce_hours",), spec.ce_hours, time.total, "expected time")]
    if spec.ce is not None and spec.ce.live_hours is not None:
        claims.append(("live_hours", ("ce", "live_hours"), spec.ce.live_hours, time.live,
                       "live-session time"))  # fmt: skip
    if spec.ce is not None and spec.ce.home_study_hours is not None:
        claims.append(("home_study_hours", ("ce", "home_study_hours"), spec.ce.home_study_hours,
                       time.home_study, "home-study time"))  # fmt: skip
    for key, at, claimed, minutes, what in claims:
        if claimed * 60 > minutes * (1 + TOLERANCE) + 0.5:
            problems.append(
                Problem(
                    path,
                    lines.value_line(at),
                    f"{key} is {claimed:g} but the course's {what} is {hours(minutes)} h "
                    f"({time.describe()}): more than {TOLERANCE:.0%} over",
                    f"set {key} to at most {hours(minutes * (1 + TOLERANCE))}, or state the "
                    "minutes of quizzes, essays and live sessions (minutes:, session_minutes:)",
                )
            )
    return problems
