"""Catalogue pages."""

from __future__ import annotations

from flask import render_template

from lms.catalogue.queries import listed_courses
from lms.web import lms_blueprint

bp = lms_blueprint("catalogue", __name__)


@bp.get("/")
def index() -> str:
    """The course catalogue."""
    return render_template("lms/catalogue/index.html", courses=listed_courses())
