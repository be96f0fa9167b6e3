"""Where an import goes: the course and module folders found by slug, and writing there.

Finding them reads only the slugs of course.yml, module.yml and quiz files (a course with
mistakes elsewhere can still receive a draft). Writing is all or nothing: every file is
written to a temporary file next to its target first, and only then are they all renamed
into place.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lms.content.crosscheck import did_you_mean
from lms.content.yamlsource import SourceError, load_yaml


class TargetError(Exception):
    """The course, module or quiz to import into cannot be found or used."""


@dataclass
class Target:
    course_dir: Path
    sources: list[str]
    module_dir: Path
    quiz_files: dict[str, Path] = field(default_factory=dict)  # quiz slug -> file, in the course


def _read(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8")).data
    except (OSError, UnicodeDecodeError, SourceError):
        return {}
    return data if isinstance(data, dict) else {}


def find_course(root: Path, slug: str) -> Path:
    """The folder of the course with ``slug``: ``root`` itself or a folder inside it."""
    if (root / "course.yml").is_file():
        candidates = [root]
    elif root.is_dir():
        candidates = sorted(p for p in root.iterdir() if (p / "course.yml").is_file())
    else:
        raise TargetError(f"courses folder {root} not found")
    slugs: list[str] = []
    for folder in candidates:
        found = _read(folder / "course.yml").get("slug")
        if found == slug:
            return folder
        if isinstance(found, str):
            slugs.append(found)
    raise TargetError(
        f"no course with slug '{slug}' in {root} ({did_you_mean(slug, slugs, 'courses')})"
    )


def find_target(root: Path, course: str, module: str) -> Target:
    course_dir = find_course(root, course)
    sources = _read(course_dir / "course.yml").get("sources")
    target = Target(course_dir, [s for s in sources or [] if isinstance(s, str)], course_dir)
    modules: dict[str, Path] = {}
    for folder in sorted(p for p in course_dir.iterdir() if (p / "module.yml").is_file()):
        slug = _read(folder / "module.yml").get("slug")
        if isinstance(slug, str):
            modules.setdefault(slug, folder)
        for quiz in sorted(folder.glob("*.quiz.yml")):
            quiz_slug = _read(quiz).get("slug")
            if isinstance(quiz_slug, str):
                target.quiz_files.setdefault(quiz_slug, quiz)
    if module not in modules:
        names = sorted(modules)
        raise TargetError(
            f"course '{course}' has no module with slug '{module}' "
            f"({did_you_mean(module, names, 'modules')})"
        )
    target.module_dir = modules[module]
    return target


def list_in_module(module_yml: str, name: str) -> str | None:
    """module.yml's text with ``name`` added at the end of ``items`` (unchanged if listed);
    None if the file is not in the block style this can safely edit."""
    try:
        doc = load_yaml(module_yml)
    except SourceError:
        return None
    items = doc.data.get("items") if isinstance(doc.data, dict) else None
    if not isinstance(items, list) or not items:
        return None
    if name in items:
        return module_yml
    lines = module_yml.splitlines(keepends=True)
    last = doc.lines.value_line(("items", len(items) - 1))
    match = re.match(r"(\s*)- ", lines[last - 1])
    if match is None or "[" in lines[doc.lines.key_line(("items",)) - 1]:
        return None
    if not lines[last - 1].endswith("\n"):
        lines[last - 1] += "\n"
    lines.insert(last, f"{match.group(1)}- {name}\n")
    edited = "".join(lines)
    try:
        if load_yaml(edited).data.get("items") != [*items, name]:
            return None
    except SourceError:
        return None
    return edited


def write_files(files: dict[Path, str]) -> None:
    """Write every file or none: temporary files first, then one rename each."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in files.items():
            handle, temporary = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
            )
            staged.append((Path(temporary), path))
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
            os.chmod(temporary, mode)
    except BaseException:
        for temporary, _ in staged:
            with contextlib.suppress(OSError):
                temporary.unlink()
        raise
    for temporary, path in staged:
        os.replace(temporary, path)
