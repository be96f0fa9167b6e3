"""`LMS`: the Flask extension that mounts the LMS into an app.

The standalone app (`lms.create_app`) uses it exactly as a host app does:

    db = SQLAlchemy(app); login = LoginManager(app)   # the host's own
    LMS(app, url_prefix="/learn")

It reuses the app's Flask-SQLAlchemy and Flask-Login (never a second of either), keeps its
per-app state in `app.extensions["lms"]`, reads `LMS_*` settings and adds `flask lms ...`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, request_finished

# The CE record's hook on every session, then the learning records' (which reads the
# CE entries the first one adds).
import lms.ce.record
import lms.identity.hooks
import lms.lti.outbox
import lms.xapi.record  # noqa: F401
from lms.access import current_profile
from lms.admin.views import bp as admin_bp
from lms.badges.views import bp as badges_bp
from lms.catalogue.views import bp as catalogue_bp
from lms.ce.views import bp as ce_bp
from lms.certificates.views import bp as certificates_bp
from lms.cli.commands import lms_cli
from lms.cohorts.views import bp as cohorts_bp
from lms.config import DEFAULTS, ConfigError, check_known_keys
from lms.csrf import generate_csrf
from lms.errors import close_sessions_quietly, handle_busy_database, handle_too_large
from lms.evaluations.views import bp as evaluations_bp
from lms.gradebook.views import bp as gradebook_bp
from lms.grading.views import bp as grading_bp
from lms.identity.info import UserInfo, default_user_info
from lms.identity.keys import primary_key
from lms.identity.profiles import forget_user
from lms.learning.gate import item_url
from lms.learning.structure import CachedStructure
from lms.learning.views import bp as learning_bp
from lms.links import require_base_url
from lms.lti.views import bp as lti_bp
from lms.models import Account
from lms.profile.views import bp as profile_bp
from lms.quizzes.views import bp as quizzes_bp
from lms.security import apply_content_security_policy
from lms.teaching.views import bp as teaching_bp
from lms.throttle import Throttle
from lms.web import (
    host_links,
    lms_url_for,
    register_template_filters,
    register_url_converters,
    root_blueprint,
)


@dataclass
class LMSState:
    """What the LMS keeps per app, in `app.extensions["lms"]`."""

    #: The parent blueprint's name: every LMS endpoint is `<name>.<area>.<view>`.
    name: str
    url_prefix: str
    user_info: Callable[[Any], UserInfo]
    #: The value a user's profile is keyed on: never changing (lms.identity.keys).
    user_key: Callable[[Any], Any] = primary_key
    #: The host's user model (found when not given; see lms.identity.profiles.user_model).
    user_model: type | None = None
    #: True in the standalone app, which has the LMS's own accounts and sign-in.
    own_accounts: bool = False
    #: True when the app runs with a throw-away secret key (debug, CLI, demo).
    ephemeral_secret: bool = False
    #: Course structures kept by `lms.learning.structure.course_structure`, by course id.
    course_structures: dict[int, CachedStructure] = field(default_factory=dict)
    #: Counters for `lms.throttle.throttle` (made on first use).
    throttle: Throttle | None = None


#: One blueprint per area of the product, all mounted at the LMS's URL prefix.
BLUEPRINTS: list[Blueprint] = [
    catalogue_bp,
    learning_bp,
    certificates_bp,
    badges_bp,
    ce_bp,
    evaluations_bp,
    profile_bp,
    admin_bp,
    quizzes_bp,
    gradebook_bp,
    grading_bp,
    cohorts_bp,
    teaching_bp,
    lti_bp,
]
handle_busy_database(*BLUEPRINTS)  # 503 "please retry" when the database is busy or down
handle_too_large(*BLUEPRINTS)  # 413: the LMS's error page, saying what to do


class LMS:
    def __init__(
        self,
        app: Flask | None = None,
        *,
        name: str = "lms",
        url_prefix: str | None = None,
        user_info: Callable[[Any], UserInfo] | None = None,
        user_key: Callable[[Any], Any] | None = None,
        user_model: type | None = None,
    ) -> None:
        """`user_info(user)` returns `lms.UserInfo(email, name)` (default: read from the
        user's attributes); `user_key(user)` a value that never changes for the user
        (default: the primary key; never `get_id()`, which Flask-Security rotates);
        `user_model` is the host's user class, whose deletions the LMS watches (default:
        the one Flask-Login user class among the app's models)."""
        self.name = name
        self.url_prefix = url_prefix
        self.user_info = user_info or default_user_info
        self.user_key = user_key or primary_key
        self.user_model = user_model
        if app is not None:
            self.init_app(app)

    def init_app(
        self, app: Flask, *, url_prefix: str | None = None, accounts: Blueprint | None = None
    ) -> None:
        """Mount the LMS on `app`. `accounts` is the standalone app's sign-in blueprint
        (hosts have their own)."""
        if not self.name.isidentifier():
            raise ConfigError(f"LMS(name={self.name!r}): use a Python identifier, e.g. 'learn'.")
        if self.name in app.blueprints:
            raise ConfigError(
                f"The app already has a blueprint named {self.name!r}: "
                f"give the LMS another name, e.g. LMS(app, name='learn')."
            )
        if "lms" in app.extensions:
            raise ConfigError("The LMS is already initialised on this app.")
        if "sqlalchemy" not in app.extensions:
            raise ConfigError(
                "The LMS needs Flask-SQLAlchemy: call `SQLAlchemy(app)` (or db.init_app) "
                "before `LMS(app)`."
            )
        if getattr(app, "login_manager", None) is None:
            raise ConfigError(
                "The LMS needs Flask-Login: call `LoginManager(app)` (or init_app) "
                "before `LMS(app)`."
            )
        for key, value in DEFAULTS.items():
            app.config.setdefault(key, value)
        check_known_keys(app.config)
        if accounts is None:  # a host app (the standalone app checked it already)
            require_base_url(app)

        prefix = (url_prefix or self.url_prefix or app.config["LMS_URL_PREFIX"] or "").rstrip("/")
        app.extensions["lms"] = LMSState(
            name=self.name,
            url_prefix=prefix,
            user_info=self.user_info,
            user_key=self.user_key,
            user_model=self.user_model if accounts is None else Account,
            own_accounts=accounts is not None,
        )

        register_url_converters(app)  # before any LMS rule is added
        root = root_blueprint(self.name)
        for blueprint in [*BLUEPRINTS, *([accounts] if accounts is not None else [])]:
            root.register_blueprint(blueprint)
        app.register_blueprint(root, url_prefix=prefix)

        register_template_filters(app)
        close_sessions_quietly(app)  # after Flask-SQLAlchemy's teardown, so it runs first

        @app.context_processor
        def lms_context() -> dict[str, Any]:
            return {
                "lms_site_name": app.config["LMS_SITE_NAME"],
                "lms_profile": current_profile,
                "lms_csrf_token": generate_csrf,
                "lms_url": lms_url_for,
                "lms_item_url": item_url,
                "lms_layout": app.config["LMS_BASE_TEMPLATE"] or "lms/layout.html",
                "lms_host": host_links,
                # Standalone apps have the LMS's own sign-in; hosts link to theirs.
                "lms_standalone": accounts is not None,
            }

        # The policy goes on after every after_request function, the host's included.
        request_finished.connect(apply_content_security_policy, app)
        app.cli.add_command(lms_cli)

    @staticmethod
    def forget_user(key: str | int) -> bool:
        """Pseudonymise the profile of the user with `key` (its CE record is kept), for a
        host that deletes a user other than through the ORM; in an app context. False when
        no profile has that key. The same as `lms.forget_user(key)`."""
        return forget_user(key)
