"""Pictures that come with course files: a course's card image (course.yml `image:`), kept
in the database like the rest of the content, so every app process serves it, locally."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import Base


class CourseImage(Base):
    """The picture on a course's cards (catalogue, dashboard) and page."""

    __tablename__ = "lms_course_image"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_course.id"), unique=True)
    #: image/svg+xml, image/png, image/jpeg or image/webp
    media_type: so.Mapped[str] = so.mapped_column(sa.String(40))
    #: What the picture shows, for people who cannot see it (course.yml `image_alt:`).
    alt: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: sha256 of `data`: the image's URL carries it, so browsers may keep it for long.
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)

    def __repr__(self) -> str:
        return f"<CourseImage course={self.course_id} {self.media_type}>"
