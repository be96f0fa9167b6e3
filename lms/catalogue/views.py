"""Catalogue pages."""

from __future__ import annotations

from flask import render_template

from lms.catalogue.queries import catalogue
from lms.web import lms_blueprint

bp = lms_blueprint("catalogue", __name__)


@bp.get("/")
def index() -> str:
    """The course catalogue: each course's track, audience, length, CE hours and cohorts."""
    return render_template("lms/catalogue/index.html", entries=catalogue())
