"""Sign up, sign in and out, change a password, reset a forgotten one."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request
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
from lms.accounts.reset import (
    ResetLinkError,
    account_for_reset_token,
    send_no_account_note,
    send_reset_link,
)
from lms.accounts.service import (
    AccountError,
    EmailTakenError,
    authenticate,
    change_password,
    end_all_sessions,
    find_account,
    normalise_email,
)
from lms.accounts.sessions import finish_session, keep_session, start_session
from lms.accounts.signup import SignUpLinkError, pending_sign_up, request_sign_up
from lms.accounts.signup import confirm_sign_up as confirm_account
from lms.accounts.throttle import reset_throttled, throttled
from lms.database import session
from lms.models import Account, Profession
from lms.profile.forms import LICENCE_HINT
from lms.throttle import throttle
from lms.web import lms_blueprint, lms_url_for, safe_next

__all__ = ["bp", "safe_next"]

bp = lms_blueprint("accounts", __name__)

ALREADY_MADE = "The account for this address is made already."
#: Sign-ups that send mail, per address asked for and per network address.
SIGN_UP_PER_EMAIL = "5 per hour"
SIGN_UP_PER_ADDRESS = "20 per hour"
TOO_MANY_SIGN_UPS = "Too many sign-ups. Wait a while, then try again, or sign in."
#: Tries of the current password on the change-password page, per account.
CHANGES_PER_ACCOUNT = "10 per 15 minutes"
TOO_MANY_CHANGES = "Too many tries. Wait a few minutes, then try again."


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
    """Ask for an account (with profession, licence and time zone); a link mailed to the
    address makes it. The answer is the same whether or not the address has an account."""
    form = SignUpForm(data={"timezone": current_app.config["LMS_DEFAULT_TIMEZONE"]})
    if form.validate_on_submit():
        email = normalise_email(form.email.data or "")
        throttle("sign-up-email", SIGN_UP_PER_EMAIL, f"email:{email}", TOO_MANY_SIGN_UPS)
        address = request.remote_addr or "unknown"
        throttle("sign-up-address", SIGN_UP_PER_ADDRESS, f"address:{address}", TOO_MANY_SIGN_UPS)
        request_sign_up(
            email,
            form.name.data or "",
            form.password.data or "",
            {
                "profession": Profession(form.profession.data).value,
                "licence_type": form.licence_type.data or None,
                "licence_number": form.licence_number.data or None,
                "timezone": form.timezone.data or "UTC",
            },
            next_page=safe_next(request.args.get("next"), "") or None,
        )
        session.commit()
        hours = max(1, int(current_app.config["LMS_SIGN_UP_LINK_MAX_AGE"]) // 3600)
        return render_template("lms/accounts/sign_up_sent.html", email=email, hours=hours)
    return render_template("lms/accounts/sign_up.html", form=form)


@bp.route("/sign-up/confirm/<token>", methods=["GET", "POST"])
def confirm_sign_up(token: str) -> tuple[str, int] | str | Response:
    """The mailed link: a button that makes the account and signs in (a POST, so a mail
    scanner that opens links creates nothing)."""
    try:
        pending = pending_sign_up(token)
    except SignUpLinkError as error:
        page = render_template("lms/accounts/sign_up_invalid.html", problem=str(error))
        return page, 410 if error.gone else 400
    if request.method == "POST":  # the blueprint checked its CSRF token
        try:
            account = confirm_account(pending)
            session.commit()
        except (EmailTakenError, sa.exc.IntegrityError):  # confirmed twice at one moment
            session.rollback()
            page = render_template("lms/accounts/sign_up_invalid.html", problem=ALREADY_MADE)
            return page, 410
        except AccountError as error:  # details the form let through, refused here
            session.rollback()
            page = render_template("lms/accounts/sign_up_invalid.html", problem=str(error))
            return page, 400
        start_session(account)
        flash(f"Welcome, {account.name}. Your account is ready.")
        return redirect(next_page())
    return render_template("lms/accounts/confirm_sign_up.html", pending=pending)


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
    account = signed_in_account()
    form = ChangePasswordForm()
    form.chooser = (account.email, account.name)
    if form.validate_on_submit():
        # Whoever holds a session (a stolen cookie, a shared computer) must not be able to
        # try passwords here any faster than at sign-in.
        throttle("password-change", CHANGES_PER_ACCOUNT, f"account:{account.id}", TOO_MANY_CHANGES)
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
@reset_throttled
def forgot_password() -> str | Response:
    """Ask for a reset link; the answer is the same whether or not the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        account = find_account(form.email.data or "")
        if account is not None and account.active:
            send_reset_link(account)
        else:  # one mail either way: the same answer, and the same time to give it
            send_no_account_note(normalise_email(form.email.data or ""))
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
    form.chooser = (account.email, account.name)
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
