"""Cross-checks within a course: duplicate slugs, links, sources and completion rules."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lms.content.problems import Problem
from lms.content.yamlsource import LineMap


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
    links: list[tuple[Path, int, str, str]] = field(default_factory=list)
    cited: list[tuple[Path, int, str]] = field(default_factory=list)  # question sources
    # Kinds ("lesson", "quiz") whose slugs are not all known because a file could not be
    # read; links to them are not checked, to avoid reporting one mistake several times.
    unknown: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.modules = Slugs(self.problems, "module", "within a course")
        self.lessons = Slugs(self.problems, "lesson", "within a course")
        self.quizzes = Slugs(self.problems, "quiz", "within a course")

    def add(self, kind: str, slug: Any, path: Path, line: int) -> None:
        if not isinstance(slug, str):
            self.unknown.add(kind)
        (self.lessons if kind == "lesson" else self.quizzes).add(slug, path, line)

    def report(self, path: Path, line: int | None, message: str, hint: str) -> None:
        self.problems.append(Problem(path, line, message, hint))

    def check(self, path: Path, data: Any, lines: LineMap) -> None:
        """Cross-check the course once all its files are read; ``path`` is course.yml."""
        data = data if isinstance(data, dict) else {}
        completion = data.get("completion")
        required = completion.get("quizzes") if isinstance(completion, dict) else None
        quizzes = sorted(self.quizzes.seen)
        lessons = sorted(self.lessons.seen)
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
            slugs = lessons if kind == "lesson" else quizzes
            if slug not in slugs and kind not in self.unknown:
                self.report(
                    file,
                    line,
                    f"broken link: no {kind} in this course has the slug '{slug}'",
                    did_you_mean(slug, slugs, f"{kind} slugs in this course"),
                )
