"""What every LMS blueprint shares: templates, static files, error pages, CSRF."""

from __future__ import annotations

from flask import Blueprint, render_template
from werkzeug.exceptions import HTTPException

from lms.csrf import protect
from lms.resources import PACKAGE_DIR, templates_dir

#: Serves the LMS's static files and holds its templates (all under `lms/`, so a host
#: app overrides any of them by putting a file at the same path in its own templates).
assets = Blueprint(
    "lms",
    __name__,
    static_folder=str(PACKAGE_DIR / "static"),
    static_url_path="/static/lms",
    template_folder=str(templates_dir()),
)


def render_error(error: HTTPException) -> tuple[str, int]:
    """Every LMS error as a page a person understands."""
    return render_template("lms/error.html", error=error), error.code or 500


def lms_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint for one area of the LMS, with its error pages and CSRF check."""
    blueprint = Blueprint(name, import_name)
    blueprint.register_error_handler(HTTPException, render_error)
    protect(blueprint)
    return blueprint
