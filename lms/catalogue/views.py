"""Catalogue pages, and the courses' pictures."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, abort, render_template, request

from lms.catalogue.queries import catalogue
from lms.database import session
from lms.models import Course, CourseImage
from lms.web import lms_blueprint

bp = lms_blueprint("catalogue", __name__)

#: A picture's URL carries its hash (`?v=`), so it can be kept for a year.
YEAR = 365 * 24 * 3600


@bp.get("/")
def index() -> str:
    """The course catalogue: each course's track, audience, length, CE hours and cohorts."""
    return render_template("lms/catalogue/index.html", entries=catalogue())


@bp.get("/courses/<slug>/image")
def course_image(slug: str) -> Response:
    """A course's picture, as its course folder has it (served here, never from elsewhere)."""
    image = session.scalar(
        sa.select(CourseImage)
        .join(Course, CourseImage.course_id == Course.id)
        .where(Course.slug == slug, Course.retired_at.is_(None))
        .options(so.undefer(CourseImage.data))
    )
    if image is None:
        abort(404, description="This course has no picture.")
    response = Response(image.data, mimetype=image.media_type)
    response.set_etag(image.sha256)
    response.cache_control.public = True
    if request.args.get("v") == image.sha256[:16]:
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.max_age = 3600
    return response.make_conditional(request)
