"""The host's own pages: a home page and sign-in/sign-out, and a command to add users."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from examples.host_app import db
from examples.host_app.models import User

main = Blueprint("main", __name__)
auth = Blueprint("auth", __name__)


@main.get("/")
def index() -> str:
    return render_template("index.html")


@auth.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is not None and user.check_password(request.form.get("password", "")):
            login_user(user)
            target = request.args.get("next", "")
            # Only a path on this site (never //elsewhere).
            if not target.startswith("/") or target.startswith("//") or "\\" in target:
                target = url_for("main.index")
            return redirect(target)
        flash("Wrong email or password.")
    return render_template("auth/login.html")


@auth.get("/logout")
def logout() -> Response:
    logout_user()
    return redirect(url_for("main.index"))


def register_commands(app: Flask) -> None:
    @app.cli.command("add-user")
    @click.argument("email")
    @click.argument("name")
    @click.password_option()
    def add_user(email: str, name: str, password: str) -> None:
        """Add a host user (then `flask lms users set-role EMAIL admin` after their
        first visit to /learn makes them the LMS's admin)."""
        user = User(email=email.strip().lower(), full_name=name)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"Added {user.email} (id {user.id}).")
