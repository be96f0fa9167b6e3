"""Walk a courses tree, parse and validate every file, and cross-check the pieces.

``load_courses`` never stops at the first mistake: it reports every problem it can find in
one run, each with its file, line (where known) and a hint on how to fix it. A course, module
or item appears in the result only if its own file validated; sync must refuse to run unless
``LoadResult.ok``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lms.content import schema
from lms.content.crosscheck import CourseIndex, Slugs, check_hours, did_you_mean
from lms.content.images import ImageError, ImageSource, read_image
from lms.content.keycheck import answer_position_warnings
from lms.content.markdown import internal_links
from lms.content.problems import Problem, validation_problems
from lms.content.yamlsource import LineMap, SourceError, load_yaml, split_front_matter

__all__ = [
    "CourseSource",
    "EvaluationSource",
    "LessonSource",
    "LoadResult",
    "ModuleSource",
    "PageSource",
    "Problem",
    "QuizSource",
    "check_courses",
    "load_courses",
]

M = TypeVar("M", bound=BaseModel)


@dataclass
class LessonSource:
    path: Path  # the .md file
    meta: schema.LessonMeta
    body: str
    body_line: int  # file line where the body starts


@dataclass
class QuizSource:
    path: Path  # the .quiz.yml file
    quiz: schema.QuizFile


@dataclass
class EvaluationSource:
    path: Path  # the .evaluation.yml file
    evaluation: schema.EvaluationFile


@dataclass
class PageSource:
    path: Path  # the .md file in the course's pages/ folder
    meta: schema.PageMeta
    body: str


Item = LessonSource | QuizSource | EvaluationSource
#: What a module item's file name ends with, and what it is.
ITEM_SUFFIXES = {".quiz.yml": "quiz", ".evaluation.yml": "evaluation", ".md": "lesson"}


def item_kind(name: str) -> str | None:
    return next((kind for end, kind in ITEM_SUFFIXES.items() if name.endswith(end)), None)


@dataclass
class ModuleSource:
    path: Path  # the module folder
    module: schema.ModuleFile
    items: list[Item]  # in module.yml order


@dataclass
class CourseSource:
    path: Path  # the course folder
    course: schema.CourseFile
    modules: list[ModuleSource]  # in course.yml order
    pages: list[PageSource] = field(default_factory=list)  # in course.yml order
    image: ImageSource | None = None  # course.yml `image:`


@dataclass
class LoadResult:
    courses: list[CourseSource]
    problems: list[Problem]
    #: What `lms courses check` points out without refusing the courses.
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_courses(root: Path) -> LoadResult:
    """Load one course folder (with course.yml) or a folder whose subfolders are courses."""
    return _Loader().load(Path(root))


def check_courses(root: Path) -> list[Problem]:
    return load_courses(root).problems


@dataclass
class _Parsed:
    data: Any = None
    lines: LineMap = field(default_factory=LineMap)


def _is_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name


def _yaml_like(path: Path) -> bool:
    """A lesson- or quiz-like file (hidden files, e.g. editor backups, are not)."""
    return path.suffix in (".md", ".yml", ".yaml") and not path.name.startswith(".")


class _Loader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.course_slugs = Slugs(self.problems, "course", "across all courses")

    def report(self, path: Path, line: int | None, message: str, hint: str) -> None:
        self.problems.append(Problem(path, line, message, hint))

    # --- the tree ------------------------------------------------------------------------------

    def load(self, root: Path) -> LoadResult:
        courses: list[CourseSource] = []
        for course_dir in self.course_dirs(root):
            course = self.load_course(course_dir)
            if course is not None:
                courses.append(course)
        problems = sorted(self.problems, key=lambda p: (str(p.path), p.line or 0))
        warnings = sorted(self.warnings, key=lambda p: (str(p.path), p.line or 0))
        return LoadResult(courses, problems, warnings)

    def course_dirs(self, root: Path) -> list[Path]:
        if not root.is_dir():
            self.report(root, None, "folder not found", "pass the folder that holds the courses")
            return []
        if (root / "course.yml").is_file():
            return [root]
        found: list[Path] = []
        partial = False
        for sub in sorted(p for p in root.iterdir() if p.is_dir()):
            if sub.name.startswith((".", "_")):
                continue
            if (sub / "course.yml").is_file():
                found.append(sub)
            elif self.looks_like_course(sub):
                partial = True
                self.report(
                    sub,
                    None,
                    f"folder '{sub.name}' looks like a course but has no course.yml",
                    "add course.yml (see courses/README.md) or move the folder out of the tree",
                )
        if found or partial:
            return found
        if self.looks_like_course(root):
            message = "this course folder has no course.yml"
        else:
            message = "no course found: no course.yml here or in any folder inside it"
        hint = "pass a course folder (with course.yml) or the folder that holds course folders"
        self.report(root, None, message, hint)
        return found

    @staticmethod
    def looks_like_course(folder: Path) -> bool:
        if (folder / "course.yaml").exists():
            return True
        return any((sub / "module.yml").is_file() for sub in folder.iterdir() if sub.is_dir())

    # --- files ---------------------------------------------------------------------------------

    def read(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.report(path, None, "the file is not UTF-8 text", "save it with UTF-8 encoding")
        except OSError as exc:
            self.report(path, None, f"cannot read the file: {exc.strerror}", "check permissions")
        return None

    def parse(
        self, path: Path, text: str, model: type[M], what: str, offset: int = 0
    ) -> tuple[_Parsed, M | None]:
        try:
            doc = load_yaml(text, line_offset=offset)
        except SourceError as exc:
            self.report(path, exc.line, exc.message, exc.hint)
            return _Parsed(), None
        for dup in doc.duplicates:
            self.report(
                path,
                dup.line,
                f"key '{dup.key}' appears twice (first on line {dup.first_line})",
                "remove one of them: only the last one would count",
            )
        parsed = _Parsed(doc.data, doc.lines)
        if doc.data is None:
            required = [name for name, f in model.model_fields.items() if f.is_required()]
            self.report(path, 1 + offset, f"{what} is empty", "it needs: " + ", ".join(required))
            return parsed, None
        try:
            return parsed, model.model_validate(doc.data)
        except ValidationError as exc:
            self.problems.extend(validation_problems(path, exc, model, doc.data, doc.lines, what))
            return parsed, None

    def parse_file(self, path: Path, model: type[M], what: str) -> tuple[_Parsed, M | None]:
        text = self.read(path)
        if text is None:
            return _Parsed(), None
        return self.parse(path, text, model, what)

    def links(self, course: CourseIndex, path: Path, parsed: _Parsed, key: tuple[Any, ...]) -> None:
        """Collect lesson:/quiz: links from a Markdown string inside a YAML file."""
        value: Any = parsed.data
        for part in key:
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and isinstance(part, int) and part < len(value):
                value = value[part]
            else:
                return
        if isinstance(value, str):
            for kind, slug, line in internal_links(value):
                course.links.append((path, parsed.lines.text_line(key, line), kind, slug))

    # --- course ----------------------------------------------------------------------------------

    def load_course(self, folder: Path) -> CourseSource | None:
        path = folder / "course.yml"
        parsed, course_file = self.parse_file(path, schema.CourseFile, "course.yml")
        data = parsed.data if isinstance(parsed.data, dict) else {}
        lines = parsed.lines
        self.course_slugs.add(data.get("slug"), path, lines.value_line(("slug",)))
        course = CourseIndex(self.problems)
        self.links(course, path, parsed, ("description",))

        modules: list[ModuleSource] = []
        subdirs = sorted(p.name for p in folder.iterdir() if p.is_dir())
        listed = data.get("modules")
        if not isinstance(listed, list):
            # course.yml does not say which modules there are: still check every folder with
            # a module.yml, so that one broken file does not hide the others' problems.
            for name in subdirs:
                if (folder / name / "module.yml").is_file():
                    self.load_module(folder / name, course)
            course.check(path, parsed.data, parsed.lines)
            return None
        first_line: dict[str, int] = {}
        for index, name in enumerate(listed):
            if not isinstance(name, str):
                continue
            line = lines.value_line(("modules", index))
            if not _is_name(name) or name in first_line or not (folder / name).is_dir():
                course.unknown.update(("lesson", "quiz"))
            if not _is_name(name):
                hint = "list folder names that are directly inside the course folder"
                self.report(path, line, f"'{name}' is not a module folder name", hint)
            elif name in first_line:
                self.report(
                    path,
                    line,
                    f"module folder '{name}' is listed twice (first on line {first_line[name]})",
                    "list each module folder once",
                )
            elif not (folder / name).is_dir():
                first_line[name] = line
                self.report(
                    path,
                    line,
                    f"module folder '{name}' does not exist in {folder}",
                    did_you_mean(name, subdirs, "folders here"),
                )
            else:
                first_line[name] = line
                module = self.load_module(folder / name, course)
                if module is not None:
                    modules.append(module)
        for name in subdirs:
            if name not in first_line and (folder / name / "module.yml").is_file():
                self.report(
                    path,
                    lines.key_line(("modules",)),
                    f"folder '{name}' has a module.yml but is not listed under 'modules'",
                    "add it to 'modules' in course.yml, or move it out of the course folder",
                )

        pages = self.load_pages(folder, parsed, course)
        course.check(path, parsed.data, parsed.lines)
        if course_file is None:
            return None
        image = None
        if course_file.image is not None:
            try:
                image = read_image(folder, course_file.image)
            except ImageError as error:
                self.report(path, lines.value_line(("image",)), error.message, error.hint)
                return None
        source = CourseSource(folder, course_file, modules, pages, image)
        if not course.unknown:  # every item read: the course's time can be counted
            self.problems.extend(check_hours(path, parsed.lines, source))
        return source

    def load_pages(self, folder: Path, parsed: _Parsed, course: CourseIndex) -> list[PageSource]:
        data = parsed.data if isinstance(parsed.data, dict) else {}
        listed = data.get("pages") if isinstance(data.get("pages"), list) else []
        pages: list[PageSource] = []
        for index, name in enumerate(listed):
            if not isinstance(name, str):
                continue
            line = parsed.lines.value_line(("pages", index))
            path = folder / "pages" / name
            if not _is_name(name) or not name.endswith(".md"):
                hint = "list .md file names from the course's pages/ folder"
                self.report(folder / "course.yml", line, f"'{name}' is not a page file", hint)
                course.unknown.add("page")
                continue
            if not path.is_file():
                here = sorted(p.name for p in (folder / "pages").glob("*.md"))
                hint = did_you_mean(name, here, "pages in pages/")
                self.report(folder / "course.yml", line, f"page '{name}' does not exist", hint)
                course.unknown.add("page")
                continue
            page = self.load_page(path, course)
            if page is not None:
                pages.append(page)
        return pages

    def load_page(self, path: Path, course: CourseIndex) -> PageSource | None:
        text = self.read(path)
        if text is None:
            course.unknown.add("page")
            return None
        try:
            front = split_front_matter(text)
        except SourceError as exc:
            self.report(path, exc.line, exc.message, exc.hint)
            course.unknown.add("page")
            return None
        offset = front.header_line - 1
        parsed, meta = self.parse(path, front.header, schema.PageMeta, "page header", offset)
        data = parsed.data if isinstance(parsed.data, dict) else {}
        course.add("page", data.get("slug"), path, parsed.lines.value_line(("slug",)))
        for kind, slug, line in internal_links(front.body):
            course.links.append((path, front.body_line + line - 1, kind, slug))
        return PageSource(path, meta, front.body) if meta is not None else None

    # --- module ----------------------------------------------------------------------------------

    def load_module(self, folder: Path, course: CourseIndex) -> ModuleSource | None:
        path = folder / "module.yml"
        if not path.is_file():
            hint = "create module.yml with slug, title and items (see courses/README.md)"
            if (folder / "module.yaml").exists():
                hint = "rename module.yaml to module.yml"
            course.unknown.update(("lesson", "quiz"))
            self.report(folder, None, f"module folder '{folder.name}' has no module.yml", hint)
            return None
        parsed, module_file = self.parse_file(path, schema.ModuleFile, "module.yml")
        data = parsed.data if isinstance(parsed.data, dict) else {}
        course.modules.add(data.get("slug"), path, parsed.lines.value_line(("slug",)))

        items: list[Item] = []
        listed = data.get("items") if isinstance(data.get("items"), list) else []
        if not listed:
            course.unknown.update(("lesson", "quiz"))
        files = sorted(p.name for p in folder.iterdir() if p.is_file())
        first_line: dict[str, int] = {}
        for index, name in enumerate(listed):
            if not isinstance(name, str):
                continue
            line = parsed.lines.value_line(("items", index))
            if not _is_name(name):
                hint = "list file names that are directly inside the module folder"
                self.report(path, line, f"'{name}' is not a file name", hint)
                continue
            if name in first_line:
                message = f"item '{name}' is listed twice (first on line {first_line[name]})"
                self.report(path, line, message, "list each item once")
                continue
            first_line[name] = line
            kind = item_kind(name)
            if kind is None:
                hint = "lessons are .md files, quizzes .quiz.yml, evaluations .evaluation.yml"
                if name.endswith((".yml", ".yaml")):
                    hint = "a quiz's name ends in .quiz.yml, an evaluation's in .evaluation.yml"
                message = f"'{name}' is neither a lesson (.md) nor a quiz (.quiz.yml)"
                self.report(path, line, message, hint)
            elif not (folder / name).is_file():
                course.unknown.add(kind)
                candidates = [f for f in files if _yaml_like(Path(f)) and f != "module.yml"]
                self.report(
                    path,
                    line,
                    f"item '{name}' does not exist in {folder}",
                    did_you_mean(name, candidates, "files here"),
                )
            else:
                loader = {
                    "quiz": self.load_quiz,
                    "evaluation": self.load_evaluation,
                    "lesson": self.load_lesson,
                }[kind]
                loaded = loader(folder / name, course)
                if loaded is not None:
                    items.append(loaded)
        if isinstance(data.get("items"), list):
            for name in files:
                if name not in first_line and name != "module.yml" and _yaml_like(Path(name)):
                    self.report(
                        folder / name,
                        None,
                        f"'{name}' is not listed in module.yml, so it is not part of the course",
                        "add it to 'items' in module.yml, or move it out of the module folder",
                    )
        if module_file is None:
            return None
        return ModuleSource(folder, module_file, items)

    # --- lessons and quizzes -------------------------------------------------------------------

    def load_lesson(self, path: Path, course: CourseIndex) -> LessonSource | None:
        text = self.read(path)
        if text is None:
            return None
        try:
            front = split_front_matter(text)
        except SourceError as exc:
            self.report(path, exc.line, exc.message, exc.hint)
            course.unknown.add("lesson")
            return None
        offset = front.header_line - 1
        parsed, meta = self.parse(path, front.header, schema.LessonMeta, "lesson header", offset)
        data = parsed.data if isinstance(parsed.data, dict) else {}
        course.add("lesson", data.get("slug"), path, parsed.lines.value_line(("slug",)))
        for kind, slug, line in internal_links(front.body):
            course.links.append((path, front.body_line + line - 1, kind, slug))
        if meta is None:
            return None
        return LessonSource(path, meta, front.body, front.body_line)

    def load_quiz(self, path: Path, course: CourseIndex) -> QuizSource | None:
        parsed, quiz = self.parse_file(path, schema.QuizFile, "quiz")
        data = parsed.data if isinstance(parsed.data, dict) else {}
        lines = parsed.lines
        course.add("quiz", data.get("slug"), path, lines.value_line(("slug",)))
        self.links(course, path, parsed, ("description",))
        questions = data.get("questions") if isinstance(data.get("questions"), list) else []
        slugs = Slugs(self.problems, "question", "within a quiz")
        for index, question in enumerate(questions):
            if not isinstance(question, dict):
                continue
            slugs.add(question.get("slug"), path, lines.value_line(("questions", index, "slug")))
            source = question.get("source")
            if isinstance(source, str):
                line = lines.value_line(("questions", index, "source"))
                course.cited.append((path, line, source))
            objective = question.get("objective")
            if isinstance(objective, str):
                line = lines.value_line(("questions", index, "objective"))
                course.assessed.append((path, line, objective))
            elif "objective" not in question:
                line = lines.mapping_line(("questions", index))
                course.untagged.append((path, line, str(question.get("slug", index + 1))))
            for key in ("prompt", "feedback"):
                self.links(course, path, parsed, ("questions", index, key))
        if quiz is None:
            return None
        self.warnings += answer_position_warnings(path, quiz, lines)
        return QuizSource(path, quiz)

    def load_evaluation(self, path: Path, course: CourseIndex) -> EvaluationSource | None:
        parsed, evaluation = self.parse_file(path, schema.EvaluationFile, "evaluation")
        data = parsed.data if isinstance(parsed.data, dict) else {}
        course.add("evaluation", data.get("slug"), path, parsed.lines.value_line(("slug",)))
        self.links(course, path, parsed, ("description",))
        questions = data.get("questions") if isinstance(data.get("questions"), list) else []
        slugs = Slugs(self.problems, "question", "within an evaluation")
        for index, question in enumerate(questions):
            if isinstance(question, dict):
                line = parsed.lines.value_line(("questions", index, "slug"))
                slugs.add(question.get("slug"), path, line)
        return EvaluationSource(path, evaluation) if evaluation is not None else None
