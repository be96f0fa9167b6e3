"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from lms.accounts.forms import SignInForm
from lms.accounts.service import authenticate
from lms.web import lms_blueprint

bp = lms_blueprint("accounts", __name__)


def safe_next(target: str | None, default: str) -> str:
    """Only follow `next` to a path on this site (no scheme, no host, no `//`)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | Response:
    """Sign in with email and password."""
    form = SignInForm()
    if form.validate_on_submit():
        account = authenticate(form.email.data or "", form.password.data or "")
        if account is not None:
            login_user(account)
            return redirect(safe_next(request.args.get("next"), url_for("catalogue.index")))
        form.password.errors.append("The email or password is not right.")
    return render_template("lms/accounts/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out() -> Response:
    """Sign out (a POST, so no link or image can sign someone out)."""
    logout_user()
    flash("You are signed out.")
    return redirect(url_for("catalogue.index"))
