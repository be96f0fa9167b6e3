"""Sign up, sign in and out, change a password, reset a forgotten one."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.access import login_required
from lms.accounts.forms import (
    PASSWORD_HINT,
    ChangePasswordForm,
    ForgotPasswordForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
)
from lms.accounts.reset import ResetLinkError, account_for_reset_token, send_reset_link
from lms.accounts.service import (
    AccountError,
    EmailTakenError,
    authenticate,
    change_password,
    create_account,
    end_all_sessions,
    find_account,
)
from lms.accounts.sessions import finish_session, keep_session, start_session
from lms.accounts.throttle import throttled
from lms.database import session
from lms.models import Account, Profession
from lms.profile.forms import LICENCE_HINT
from lms.web import lms_blueprint, lms_url_for, safe_next

__all__ = ["bp", "safe_next"]

bp = lms_blueprint("accounts", __name__)

EMAIL_TAKEN = "An account with this email already exists. Sign in, or reset your password."


@bp.context_processor
def hints() -> dict[str, str]:
    return {"password_hint": PASSWORD_HINT, "licence_hint": LICENCE_HINT}


def signed_in_account() -> Account:
    account = session.get(Account, int(current_user.get_id()))
    if account is None:  # pragma: no cover - the user loader has just loaded it
        abort(403)
    return account


def next_page() -> str:
    return safe_next(request.args.get("next"), lms_url_for("catalogue.index"))


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up() -> str | Response:
    """Create an account (with profession and licence), then continue signed in."""
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            account = create_account(
                form.email.data or "",
                form.name.data or "",
                form.password.data or "",
                profession=Profession(form.profession.data),
                licence_type=form.licence_type.data or None,
                licence_number=form.licence_number.data or None,
            )
            session.commit()
        except EmailTakenError:
            session.rollback()
            form.email.errors.append(EMAIL_TAKEN)
        except sa.exc.IntegrityError:  # the same email signed up at the same moment
            session.rollback()
            form.email.errors.append(EMAIL_TAKEN)
        except AccountError as error:
            session.rollback()
            form.email.errors.append(str(error))
        else:
            start_session(account)
            flash(f"Welcome, {account.name}. Your account is ready.")
            return redirect(next_page())
    return render_template("lms/accounts/sign_up.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@throttled
def sign_in() -> str | Response:
    """Sign in with email and password, in a fresh session."""
    form = SignInForm()
    if form.validate_on_submit():
        account = authenticate(form.email.data or "", form.password.data or "")
        if account is not None:
            start_session(account)
            return redirect(next_page())
        form.password.errors.append("The email or password is not right.")
    return render_template("lms/accounts/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out() -> Response:
    """Sign out everywhere this account is signed in (a POST, so no link can do it)."""
    if current_user.is_authenticated:
        end_all_sessions(signed_in_account())
        session.commit()
    finish_session()
    flash("You are signed out.")
    return redirect(lms_url_for("catalogue.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password_page() -> str | Response:
    """Change the password; other sessions end, this one stays signed in."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        account = signed_in_account()
        if not account.check_password(form.current_password.data or ""):
            form.current_password.errors.append("This is not your current password.")
        else:
            version = change_password(account, form.password.data or "")
            session.commit()
            keep_session(version)
            flash("Your password is changed. Any other device you used is now signed out.")
            return redirect(lms_url_for("profile.edit"))
    return render_template("lms/accounts/change_password.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@throttled
def forgot_password() -> str | Response:
    """Ask for a reset link; the answer is the same whether or not the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        account = find_account(form.email.data or "")
        if account is not None and account.active:
            send_reset_link(account)
            session.commit()
        return render_template("lms/accounts/forgot_password_sent.html")
    return render_template("lms/accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> tuple[str, int] | str | Response:
    """Choose a new password through a link from the reset mail (works once)."""
    try:
        account = account_for_reset_token(token)
    except ResetLinkError as error:
        page = render_template("lms/accounts/reset_invalid.html", problem=str(error))
        return page, 410 if error.gone else 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        change_password(account, form.password.data or "")
        session.commit()
        finish_session()
        flash("Your password is set. Sign in with your new password.")
        return redirect(lms_url_for("accounts.sign_in"))
    return render_template("lms/accounts/reset_password.html", form=form)


@bp.after_request
def no_referrer(response: Response) -> Response:
    """Reset links carry a token in the URL: never send it on to another site, nor keep
    the page in a cache."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
