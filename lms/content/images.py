"""A course's picture (course.yml `image:`): read from the course folder and checked, so
that only a real, reasonably small picture of a known kind reaches the database."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

#: Picture kinds by file extension, with how each kind's data begins.
MEDIA_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}
MAX_BYTES = 512 * 1024
SVG_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<svg[\s>]", re.S)
#: What would make an SVG more than a picture when opened on its own: scripts, event
#: handlers, javascript: links, embedded documents.
SVG_ACTIVE = re.compile(rb"<script|<foreignobject|\son[a-z]+\s*=|javascript:|<iframe", re.I)


@dataclass(frozen=True)
class ImageSource:
    path: Path
    media_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class ImageError(ValueError):
    """What is wrong with the picture, and a hint on how to fix it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def looks_like(media_type: str, data: bytes) -> bool:
    if media_type == "image/png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if media_type == "image/jpeg":
        return data.startswith(b"\xff\xd8\xff")
    if media_type == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return bool(SVG_START.match(data[:4096])) and not SVG_ACTIVE.search(data)


def read_image(folder: Path, name: str) -> ImageSource:
    """The picture `name` in the course `folder`; raises ImageError when it cannot be used."""
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise ImageError(
            f"'{name}' is not a file name", "put the picture in the course folder itself"
        )
    path = folder / name
    kinds = ", ".join(sorted(MEDIA_TYPES))
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise ImageError(f"'{name}' is not a picture the LMS can show", f"use one of: {kinds}")
    if not path.is_file():
        raise ImageError(f"image '{name}' does not exist in {folder}", "check the file name")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImageError(
            f"image '{name}' is {size // 1024} KB; the most is {MAX_BYTES // 1024} KB",
            "make it smaller (a card shows it at about 640 by 360 pixels)",
        )
    data = path.read_bytes()
    if not looks_like(media_type, data):
        hint = "save it again as a real picture of that kind"
        if media_type == "image/svg+xml":
            hint = (
                "an SVG must start with <svg (or an XML declaration) and hold no script, "
                "event handler, javascript: link or embedded document"
            )
        raise ImageError(f"'{name}' is not a valid {path.suffix.lower()[1:]} file", hint)
    return ImageSource(path, media_type, data)
